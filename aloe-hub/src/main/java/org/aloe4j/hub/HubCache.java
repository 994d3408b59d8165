package org.aloe4j.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The Hugging Face hub cache on disk, laid out exactly as Python's {@code huggingface_hub} lays it out, so that
 * either tool reuses what the other downloaded:
 *
 * <pre>
 * &lt;cache&gt;/
 *   CACHEDIR.TAG
 *   .locks/models--ORG--NAME/&lt;etag&gt;.lock          one lock file per blob
 *   models--ORG--NAME/
 *     blobs/&lt;etag&gt;                               content, named by sha256 (LFS) or git sha1
 *     blobs/&lt;etag&gt;.incomplete                    a transfer in progress, resumed with Range
 *     refs/&lt;revision&gt;                            the commit sha a branch or tag pointed at (no newline)
 *     snapshots/&lt;commit&gt;/&lt;path&gt;                   relative symlink to ../../blobs/&lt;etag&gt; (one more ../ per folder)
 *     trees/&lt;commit&gt;.json                        the file listing at that commit (format_version 1)
 * </pre>
 *
 * Everything that other readers may see is written atomically (temporary file, then rename).
 */
public final class HubCache {

    static final String CACHEDIR_TAG = """
            Signature: 8a477f597d28d172789f06886806bc55
            # This file is a cache directory tag created by huggingface_hub.
            # For information about cache directory tags, see:
            #\thttps://bford.info/cachedir/
            """;

    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");
    private static final Pattern REPO_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path root;

    public HubCache(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /** The cache folder (HF_HUB_CACHE). */
    public Path root() {
        return root;
    }

    /** Whether a revision is already a full commit sha (then no ref is needed). */
    public static boolean isCommit(String revision) {
        return COMMIT.matcher(revision).matches();
    }

    /** Whether the text has the form of a hub model id, {@code ORG/NAME}. */
    public static boolean isRepoId(String text) {
        return REPO_ID.matcher(text).matches() && !text.contains("..") && !text.endsWith(".");
    }

    /** {@code models--ORG--NAME}, the folder name {@code huggingface_hub} gives a model repository. */
    public static String folderName(String repoId) {
        requireRepoId(repoId);
        return "models--" + repoId.replace("/", "--");
    }

    public Path repoFolder(String repoId) {
        return root.resolve(folderName(repoId));
    }

    public Path blob(String repoId, String etag) {
        requireSafeName(etag, "etag");
        return repoFolder(repoId).resolve("blobs").resolve(etag);
    }

    /** The partial download of a blob; a later pull resumes from its length. */
    public Path incomplete(String repoId, String etag) {
        requireSafeName(etag, "etag");
        return repoFolder(repoId).resolve("blobs").resolve(etag + ".incomplete");
    }

    /** The lock file guarding one blob, shared with {@code huggingface_hub}. */
    public Path lockFile(String repoId, String etag) {
        requireSafeName(etag, "etag");
        return root.resolve(".locks").resolve(folderName(repoId)).resolve(etag + ".lock");
    }

    public Path snapshotDir(String repoId, String commit) {
        requireSafeName(commit, "commit");
        return repoFolder(repoId).resolve("snapshots").resolve(commit);
    }

    /** The path a file of the repository has inside a snapshot; refuses paths that would leave the snapshot. */
    public Path pointer(String repoId, String commit, String filePath) {
        Path snapshot = snapshotDir(repoId, commit);
        Path p = snapshot.resolve(filePath.replace('\\', '/')).normalize();
        if (!p.startsWith(snapshot) || p.equals(snapshot) || filePath.startsWith("/")) {
            throw new IllegalArgumentException("invalid file path in repository " + repoId + ": " + filePath);
        }
        return p;
    }

    /** The commit a branch or tag pointed at when it was last resolved online, if recorded. */
    public Optional<String> readRef(String repoId, String revision) throws IOException {
        Path ref = refFile(repoId, revision);
        try {
            String commit = Files.readString(ref, StandardCharsets.UTF_8).strip();
            return commit.isEmpty() ? Optional.empty() : Optional.of(commit);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** The commit for a revision, from the revision itself when it is a commit, else from {@code refs/}. */
    public Optional<String> resolveCommit(String repoId, String revision) throws IOException {
        return isCommit(revision) ? Optional.of(revision) : readRef(repoId, revision);
    }

    /** Records {@code refs/<revision>} = commit (no trailing newline, as Python writes it); a commit needs no ref. */
    public void writeRef(String repoId, String revision, String commit) throws IOException {
        if (revision.equals(commit)) {
            return;
        }
        Path ref = refFile(repoId, revision);
        if (Files.isRegularFile(ref) && Files.readString(ref, StandardCharsets.UTF_8).equals(commit)) {
            return;
        }
        writeAtomically(ref, commit.getBytes(StandardCharsets.US_ASCII));
    }

    /** Creates {@code CACHEDIR.TAG} at the cache root so backup tools skip the cache, as Python does. */
    public void tagCacheDir() {
        Path tag = root.resolve("CACHEDIR.TAG");
        if (!Files.exists(tag)) {
            try {
                Files.createDirectories(root);
                writeAtomically(tag, CACHEDIR_TAG.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // only a hint for backup tools; never worth failing a download for
            }
        }
    }

    /**
     * Points {@code snapshots/<commit>/<path>} at {@code blobs/<etag>} with a relative symlink. The link is made
     * under a temporary name and renamed over the old one, so a concurrent reader never sees it missing. Where
     * symlinks are not allowed (some Windows setups) the blob is copied instead, as Python does.
     */
    public Path link(String repoId, String commit, String filePath, String etag) throws IOException {
        Path pointer = pointer(repoId, commit, filePath);
        Path blob = blob(repoId, etag);
        Files.createDirectories(pointer.getParent());
        Path target = pointer.getParent().relativize(blob);
        if (Files.isSymbolicLink(pointer) && Files.readSymbolicLink(pointer).equals(target)) {
            return pointer;
        }
        Path tmp = pointer.resolveSibling(pointer.getFileName() + "." + UUID.randomUUID().toString().substring(0, 8)
                + ".tmp");
        try {
            Files.createSymbolicLink(tmp, target);
        } catch (UnsupportedOperationException | FileSystemException e) {
            Files.deleteIfExists(tmp);
            Files.copy(blob, tmp, StandardCopyOption.REPLACE_EXISTING);
        }
        moveAtomically(tmp, pointer);
        return pointer;
    }

    /** The listing cached under {@code trees/<commit>.json}, in {@code huggingface_hub}'s format. */
    public Optional<RepoListing> readTree(String repoId, String revision, String commit) {
        Path file = treeFile(repoId, commit);
        try {
            JsonNode node = JSON.readTree(file.toFile());
            if (node == null || node.path("format_version").asInt(-1) != 1 || !node.path("files").isObject()) {
                return Optional.empty();
            }
            List<RepoFile> files = new ArrayList<>();
            for (Map.Entry<String, JsonNode> e : node.get("files").properties()) {
                JsonNode f = e.getValue();
                String sha = f.hasNonNull("lfs_sha256") ? f.get("lfs_sha256").asText() : null;
                long size = sha != null && f.hasNonNull("lfs_size") ? f.get("lfs_size").asLong() : f.get("size").asLong();
                files.add(new RepoFile(e.getKey(), size, f.get("blob_id").asText(), sha));
            }
            return Optional.of(new RepoListing(repoId, revision, commit, files));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();   // absent or unreadable: the caller treats it as unknown
        }
    }

    /** Writes {@code trees/<commit>.json} (a commit's listing never changes, so it is written once). */
    public void writeTree(RepoListing listing) throws IOException {
        Path file = treeFile(listing.repoId(), listing.commit());
        if (Files.exists(file)) {
            return;
        }
        ObjectNode doc = JSON.createObjectNode();
        doc.put("format_version", 1);
        ObjectNode files = doc.putObject("files");
        Map<String, RepoFile> sorted = new TreeMap<>();
        listing.files().forEach(f -> sorted.put(f.path(), f));
        for (RepoFile f : sorted.values()) {
            ObjectNode entry = files.putObject(f.path());
            entry.put("size", f.size());
            entry.put("blob_id", f.blobId());
            if (f.isLfs()) {
                entry.put("lfs_sha256", f.lfsSha256());
                entry.put("lfs_size", f.size());
            }
        }
        writeAtomically(file, JSON.writeValueAsBytes(doc));
    }

    private Path refFile(String repoId, String revision) {
        Path refs = repoFolder(repoId).resolve("refs");
        Path ref = refs.resolve(revision).normalize();
        if (!ref.startsWith(refs) || ref.equals(refs)) {
            throw new IllegalArgumentException("invalid revision: " + revision);
        }
        return ref;
    }

    private Path treeFile(String repoId, String commit) {
        requireSafeName(commit, "commit");
        return repoFolder(repoId).resolve("trees").resolve(commit + ".json");
    }

    static void writeAtomically(Path file, byte[] content) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + "." + UUID.randomUUID().toString().substring(0, 8) + ".tmp");
        try {
            Files.write(tmp, content);
            moveAtomically(tmp, file);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void requireRepoId(String repoId) {
        if (repoId == null || !isRepoId(repoId)) {
            throw new IllegalArgumentException("not a hub repository id (ORG/NAME): " + repoId);
        }
    }

    private static void requireSafeName(String name, String what) {
        if (name == null || name.isEmpty() || name.contains("/") || name.contains("\\") || name.equals(".")
                || name.equals("..")) {
            throw new IllegalArgumentException("invalid " + what + ": " + name);
        }
    }
}
