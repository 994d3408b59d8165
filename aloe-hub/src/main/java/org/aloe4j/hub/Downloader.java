package org.aloe4j.hub;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Downloads repository files from the hub into the {@link HubCache}, the way {@code snapshot_download} does, and
 * resolves from the cache alone when offline.
 *
 * <p>Per file: take the blob's lock ({@code .locks/}); if {@code blobs/<etag>} exists and passes the check
 * ({@link Verification}) it is reused, otherwise it is deleted and fetched again; the transfer appends to
 * {@code blobs/<etag>.incomplete}, resuming with {@code Range} from its length (also after a crash or kill of an
 * earlier run), retrying broken connections the same way; the complete file is checked (size; sha256 for LFS files,
 * git sha1 for the others) and only then renamed atomically to {@code blobs/<etag>}; finally
 * {@code snapshots/<commit>/<path>} is made a relative symlink to it. Several files are fetched in parallel
 * ({@link HubConfig#parallelDownloads()}).
 *
 * <pre>{@code
 * Downloader d = new Downloader(HubConfig.fromEnvironment());
 * DownloadPlan plan = d.plan("HPAI-BSC/Llama3.1-Aloe-Beta-8B", "main", FileSelection.all());
 * System.err.println("this will download " + DownloadPlan.formatBytes(plan.bytesToDownload()));
 * Snapshot s = d.download("HPAI-BSC/Llama3.1-Aloe-Beta-8B", "main", FileSelection.all(), myListener);
 * Path config = s.file("config.json");
 * }</pre>
 */
public final class Downloader {

    /** How a blob already in the cache is checked before it is trusted. */
    public enum Verification {
        /** Its size must match: instant, catches truncation. */
        SIZE,
        /** Its size and hash (sha256 / git sha1) must match: reads the whole blob, catches any corruption. */
        FULL
    }

    private static final int BUFFER = 1 << 20;
    private static final Duration STALL_TIMEOUT = Duration.ofSeconds(60);
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "aloe-hub-stall-watchdog");
        t.setDaemon(true);
        return t;
    });

    private final HubClient client;
    private final HubCache cache;
    private final Verification verification;

    public Downloader(HubConfig config) {
        this(new HubClient(config), new HubCache(config.cacheDir()), Verification.FULL);
    }

    public Downloader(HubClient client, HubCache cache, Verification verification) {
        this.client = client;
        this.cache = cache;
        this.verification = verification;
    }

    public Downloader withVerification(Verification v) {
        return new Downloader(client, cache, v);
    }

    public HubCache cache() {
        return cache;
    }

    public HubConfig config() {
        return client.config();
    }

    /** The listing of a repository at a revision: from the hub, or from the cache when offline. */
    public RepoListing listing(String repoId, String revision) throws HubException {
        if (config().offline()) {
            return cachedListing(repoId, revision, null);
        }
        try {
            return client.listing(repoId, revision);
        } catch (HubException e) {
            if (e.reason() == HubException.Reason.UNREACHABLE) {
                return cachedListing(repoId, revision, e);
            }
            throw e;
        }
    }

    /** What {@link #download} would fetch, without fetching anything. */
    public DownloadPlan plan(String repoId, String revision, FileSelection selection) throws HubException {
        return plan(listing(repoId, revision), selection);
    }

    /** What {@link #download} would fetch of an already obtained listing. */
    public DownloadPlan plan(RepoListing listing, FileSelection selection) throws HubException {
        return planFor(listing, select(listing, selection));
    }

    /**
     * Makes the selected files of {@code repoId} at {@code revision} available in the cache and returns the snapshot.
     * Offline ({@link HubConfig#offline()}), or when the hub cannot be reached, the cache alone must hold them.
     */
    public Snapshot download(String repoId, String revision, FileSelection selection, DownloadListener listener)
            throws HubException {
        if (config().offline()) {
            return fromCache(repoId, revision, selection, null);
        }
        RepoListing listing;
        try {
            listing = client.listing(repoId, revision);
        } catch (HubException e) {
            if (e.reason() == HubException.Reason.UNREACHABLE) {
                Snapshot cached = fromCache(repoId, revision, selection, e);
                listener.notice("the hub cannot be reached; using the cached snapshot " + cached.commit());
                return cached;
            }
            throw e;
        }
        return download(listing, selection, listener);
    }

    /**
     * As {@link #download(String, String, FileSelection, DownloadListener)} for a listing the caller already has
     * (saves a second listing request).
     */
    public Snapshot download(RepoListing listing, FileSelection selection, DownloadListener listener)
            throws HubException {
        String repoId = listing.repoId();
        if (config().offline()) {
            return fromCache(repoId, listing.revision(), selection, null);
        }
        List<RepoFile> files = select(listing, selection);
        try {
            cache.tagCacheDir();
            cache.writeTree(listing);
            cache.writeRef(repoId, listing.revision(), listing.commit());
        } catch (IOException e) {
            // a read-only shared cache can still serve what it holds; a file to fetch fails with its own error
            listener.notice("cannot record " + listing.revision() + " in the cache " + cache.root() + " ("
                    + HubClient.describe(e) + ")");
        }
        DownloadPlan plan = planFor(listing, files);
        listener.planned(plan);
        warnIfDiskTooSmall(plan, listener);
        fetchAll(listing, files, listener);
        return new Snapshot(repoId, listing.commit(), cache.snapshotDir(repoId, listing.commit()),
                files.stream().map(RepoFile::path).toList());
    }

    /** Like Python, only a warning: quotas and sparse files make free space a guess, and the user may free some. */
    private void warnIfDiskTooSmall(DownloadPlan plan, DownloadListener listener) {
        try {
            Path existing = cache.root();
            while (existing != null && !Files.exists(existing)) {
                existing = existing.getParent();
            }
            if (existing != null) {
                long free = Files.getFileStore(existing).getUsableSpace();
                if (free < plan.bytesToDownload()) {
                    listener.notice("warning: " + DownloadPlan.formatBytes(plan.bytesToDownload()) + " to download but"
                            + " only " + DownloadPlan.formatBytes(free) + " free in " + cache.root());
                }
            }
        } catch (IOException e) {
            // free space unknown: the download reports a full disk itself
        }
    }

    private void fetchAll(RepoListing listing, List<RepoFile> files, DownloadListener listener) throws HubException {
        int threads = Math.min(config().parallelDownloads(), Math.max(1, files.size()));
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "aloe-hub-download");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (RepoFile f : files) {
                futures.add(pool.submit(() -> {
                    fetchFile(listing, f, listener);
                    return null;
                }));
            }
            HubException first = null;
            int failed = 0;
            for (Future<?> future : futures) {
                try {
                    future.get();
                } catch (ExecutionException e) {
                    failed++;
                    if (first == null) {
                        first = e.getCause() instanceof HubException h ? h
                                : ioFailure("download of " + listing.repoId() + " failed", e.getCause());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    pool.shutdownNow();
                    throw new HubException(HubException.Reason.TRANSFER_FAILED, "download of " + listing.repoId()
                            + " interrupted; run it again to resume", e);
                }
            }
            if (first != null) {
                if (failed > 1) {
                    throw new HubException(first.reason(), first.getMessage() + " (and " + (failed - 1)
                            + " more file(s) failed)", first);
                }
                throw first;
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private void fetchFile(RepoListing listing, RepoFile file, DownloadListener listener) throws IOException {
        String repoId = listing.repoId();
        String etag = file.etag();
        Path blob = cache.blob(repoId, etag);
        Path pointer = cache.pointer(repoId, listing.commit(), file.path());
        // already in place: checked without the lock, so a read-only cache works (blobs only ever appear by an
        // atomic rename, so a blob that passes the check is complete)
        if (Files.isSymbolicLink(pointer) && Files.exists(blob)
                && Files.readSymbolicLink(pointer).equals(pointer.getParent().relativize(blob))
                && ContentHash.mismatch(blob, etag, file.size(), verification == Verification.FULL) == null) {
            listener.completed(file);
            return;
        }
        Files.createDirectories(blob.getParent());
        try (BlobLock ignored = BlobLock.acquire(cache.lockFile(repoId, etag))) {
            boolean present = false;
            if (Files.exists(blob)) {
                String bad = ContentHash.mismatch(blob, etag, file.size(), verification == Verification.FULL);
                if (bad == null) {
                    present = true;
                } else {
                    listener.notice(repoId + "/" + file.path() + ": the cached blob is corrupt (" + bad
                            + "); downloading it again");
                    Files.delete(blob);
                }
            }
            if (!present) {
                transfer(listing, file, blob, listener, true);
            }
            cache.link(repoId, listing.commit(), file.path(), etag);
        }
        listener.completed(file);
    }

    /** Fetches one blob into {@code <blob>.incomplete}, resuming, then verifies it and moves it into place. */
    private void transfer(RepoListing listing, RepoFile file, Path blob, DownloadListener listener,
                          boolean mayRestart) throws IOException {
        String repoId = listing.repoId();
        String etag = file.etag();
        long size = file.size();
        FileMetadata meta = client.metadata(repoId, listing.commit(), file.path());
        if (!meta.etag().equals(etag) || meta.size() != size) {
            throw new HubException(HubException.Reason.HTTP, "the hub's listing and its resolve answer disagree on "
                    + repoId + "/" + file.path() + " (etag " + etag + " vs " + meta.etag() + ", size " + size + " vs "
                    + meta.size() + ")");
        }
        Path part = cache.incomplete(repoId, etag);
        long offset = Files.exists(part) ? Files.size(part) : 0;
        if (offset > size) {
            offset = 0;   // not ours to resume: longer than the file can be
        }
        boolean resumed = offset > 0;
        MessageDigest digest = ContentHash.newDigest(etag, size);
        if (resumed && digest != null) {
            ContentHash.update(digest, part, offset);
        }
        try (FileChannel out = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            out.truncate(offset);
            Appender appender = new Appender(out, offset, size, digest, file, listener);
            int failures = 0;
            var location = meta.location();
            while (appender.offset < size) {
                long before = appender.offset;
                try {
                    HubClient.Transfer t = client.open(location, appender.offset, repoId, file.path());
                    if (t.start() == 0 && appender.offset > 0) {
                        listener.notice(repoId + "/" + file.path() + ": the server ignored the Range request;"
                                + " downloading the file from the start");
                        appender.restart(ContentHash.newDigest(etag, size));
                    }
                    appender.copy(t.body());
                    if (appender.offset < size) {
                        throw new IOException("connection closed after " + appender.offset + " of " + size
                                + " bytes");
                    }
                } catch (HubException e) {
                    throw e;
                } catch (IOException e) {
                    if (appender.offset > before) {
                        failures = 0;   // progress was made: only consecutive fruitless attempts count
                    }
                    if (++failures > config().retries()) {
                        throw new HubException(HubException.Reason.TRANSFER_FAILED, "download of " + repoId + "/"
                                + file.path() + " broke off at byte " + appender.offset + " of " + size + " ("
                                + HubClient.describe(e) + "); run the same command again to resume from there", e);
                    }
                    pause(failures);
                    location = client.metadata(repoId, listing.commit(), file.path()).location();   // fresh URL
                }
            }
            out.force(true);
            digest = appender.digest;
        }
        if (digest != null) {
            String got = ContentHash.hex(digest);
            if (!got.equals(etag)) {
                Files.deleteIfExists(part);
                if (resumed && mayRestart) {
                    // the partial file we resumed from was not good (another tool, a disk error): start afresh once
                    listener.notice(repoId + "/" + file.path() + ": the resumed download did not match its hash;"
                            + " downloading it again from the start");
                    transfer(listing, file, blob, listener, false);
                    return;
                }
                throw new HubException(HubException.Reason.INTEGRITY, "downloaded " + repoId + "/" + file.path()
                        + " does not match the hub's " + (etag.length() == 64 ? "sha256 " : "git sha1 ") + etag
                        + " (got " + got + "); it was deleted, try again");
            }
        }
        HubCache.moveAtomically(part, blob);
    }

    /** Appends response bodies to the partial file, keeping offset and digest right even when a read fails. */
    private static final class Appender {
        private final FileChannel out;
        private final long size;
        private final RepoFile file;
        private final DownloadListener listener;
        private final byte[] buf = new byte[BUFFER];
        long offset;
        MessageDigest digest;

        Appender(FileChannel out, long offset, long size, MessageDigest digest, RepoFile file,
                 DownloadListener listener) {
            this.out = out;
            this.offset = offset;
            this.size = size;
            this.digest = digest;
            this.file = file;
            this.listener = listener;
        }

        void restart(MessageDigest fresh) throws IOException {
            out.truncate(0);
            offset = 0;
            digest = fresh;
        }

        /** Copies until the body ends or the file is complete; a failed read leaves everything before it counted. */
        void copy(InputStream body) throws IOException {
            AtomicLong lastProgress = new AtomicLong(System.nanoTime());
            // HttpClient has no read timeout: a stalled connection is closed by this watchdog, and the read fails
            ScheduledFuture<?> watchdog = WATCHDOG.scheduleAtFixedRate(() -> {
                if (System.nanoTime() - lastProgress.get() > STALL_TIMEOUT.toNanos()) {
                    try {
                        body.close();
                    } catch (IOException ignored) {
                        // closing is all we want
                    }
                }
            }, 5, 5, TimeUnit.SECONDS);
            try (body) {
                while (offset < size) {
                    int n = body.read(buf, 0, (int) Math.min(buf.length, size - offset));
                    if (n < 0) {
                        break;
                    }
                    ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                    while (bb.hasRemaining()) {
                        out.write(bb, offset + bb.position());
                    }
                    if (digest != null) {
                        digest.update(buf, 0, n);
                    }
                    offset += n;
                    lastProgress.set(System.nanoTime());
                    listener.transferred(file, n);
                }
            } finally {
                watchdog.cancel(false);
            }
        }
    }

    private List<RepoFile> select(RepoListing listing, FileSelection selection) throws HubException {
        List<RepoFile> files = listing.select(selection);
        if (files.isEmpty()) {
            String some = String.join(", ", listing.files().stream().limit(8).map(RepoFile::path).toList());
            throw new HubException(HubException.Reason.FILE_NOT_FOUND, "no file of " + listing.repoId() + "@"
                    + listing.revision() + " matches " + describe(selection) + " (it has: " + some
                    + (listing.files().size() > 8 ? ", ..." : "") + ")");
        }
        return files;
    }

    private DownloadPlan planFor(RepoListing listing, List<RepoFile> files) {
        long total = 0;
        long cached = 0;
        long partial = 0;
        for (RepoFile f : files) {
            total += f.size();
            Path blob = cache.blob(listing.repoId(), f.etag());
            Path part = cache.incomplete(listing.repoId(), f.etag());
            try {
                if (Files.isRegularFile(blob) && Files.size(blob) == f.size()) {
                    cached += f.size();
                } else if (Files.isRegularFile(part) && Files.size(part) <= f.size()) {
                    partial += Files.size(part);
                }
            } catch (IOException e) {
                // unreadable: counted as to download, the download itself will tell
            }
        }
        return new DownloadPlan(listing.repoId(), listing.revision(), listing.commit(), files, total, cached, partial);
    }

    /** The selected files from the cache alone; {@code cause} is why the hub was not asked (null: offline mode). */
    private Snapshot fromCache(String repoId, String revision, FileSelection selection, HubException cause)
            throws HubException {
        RepoListing listing = cachedListing(repoId, revision, cause);
        List<String> missing = new ArrayList<>();
        List<String> present = new ArrayList<>();
        for (RepoFile f : listing.select(selection)) {
            Path p = cache.pointer(repoId, listing.commit(), f.path());
            try {
                if (Files.isRegularFile(p) && Files.size(p) == f.size()) {
                    present.add(f.path());
                } else {
                    missing.add(f.path());
                }
            } catch (IOException e) {
                missing.add(f.path());
            }
        }
        if (present.isEmpty() || !missing.isEmpty()) {
            String what = present.isEmpty() ? "has no file matching " + describe(selection)
                    : "is incomplete: " + missing.size() + " file(s) missing or damaged ("
                    + String.join(", ", missing.stream().limit(3).toList()) + (missing.size() > 3 ? ", ..." : "") + ")";
            throw notInCache(repoId, revision, "the cached snapshot " + listing.commit() + " " + what, cause);
        }
        return new Snapshot(repoId, listing.commit(), cache.snapshotDir(repoId, listing.commit()), present);
    }

    /**
     * The listing of a cached snapshot: the {@code trees/<commit>.json} written at download time when there is one,
     * else the files found in the snapshot folder (as Python's cache made before tree listings existed).
     */
    private RepoListing cachedListing(String repoId, String revision, HubException cause) throws HubException {
        String commit;
        try {
            commit = cache.resolveCommit(repoId, revision).orElse(null);
        } catch (IOException e) {
            throw ioFailure("cannot read the Hugging Face cache " + cache.root(), e);
        }
        Path dir = commit == null ? null : cache.snapshotDir(repoId, commit);
        if (commit == null || !Files.isDirectory(dir)) {
            throw notInCache(repoId, revision, "it is not in the Hugging Face cache " + cache.root(), cause);
        }
        var tree = cache.readTree(repoId, revision, commit);
        if (tree.isPresent()) {
            return tree.get();
        }
        List<RepoFile> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                String rel = dir.relativize(p).toString().replace('\\', '/');
                String name = Files.isSymbolicLink(p) ? Files.readSymbolicLink(p).getFileName().toString() : "unknown";
                files.add(new RepoFile(rel, Files.size(p), name, name.length() == 64 ? name : null));
            }
        } catch (IOException e) {
            throw ioFailure("cannot read the cached snapshot " + dir, e);
        }
        return new RepoListing(repoId, revision, commit, files);
    }

    private HubException notInCache(String repoId, String revision, String what, HubException cause) {
        String why = cause == null
                ? "HF_HUB_OFFLINE is set, so nothing is downloaded; run 'aloe pull " + repoId + "' with network"
                + " access first (or unset HF_HUB_OFFLINE)"
                : cause.getMessage();
        return new HubException(HubException.Reason.NOT_IN_CACHE, repoId + "@" + revision + ": " + what + "; "
                + why + (cause == null ? ", or use a local file: --model /path/to/file.gguf" : ""), cause);
    }

    private static String describe(FileSelection s) {
        String inc = s.include().isEmpty() ? "any file" : "--include " + String.join(" ", s.include());
        return s.exclude().isEmpty() ? inc : inc + " --exclude " + String.join(" ", s.exclude());
    }

    private static HubException ioFailure(String what, Throwable e) {
        return new HubException(HubException.Reason.CACHE_IO, what + ": " + HubClient.describe(e), e);
    }

    private void pause(int attempt) throws HubException {
        try {
            Thread.sleep(config().retryDelay().multipliedBy(attempt));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HubException(HubException.Reason.TRANSFER_FAILED, "interrupted", e);
        }
    }
}
