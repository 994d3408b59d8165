package org.aloe4j.hub;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Hugging Face hub stand-in on 127.0.0.1 for tests, serving what the real hub serves to {@code huggingface_hub}:
 *
 * <ul>
 *   <li>{@code GET /api/models/ORG/NAME/revision/REV?blobs=true}: {@code sha} and {@code siblings} with
 *       {@code rfilename}, {@code size}, {@code blobId}, {@code lfs {sha256,size,pointerSize}};</li>
 *   <li>{@code GET /api/models/ORG/NAME/tree/REV?recursive=true} (what recent Python clients list with);</li>
 *   <li>{@code HEAD|GET /ORG/NAME/resolve/REV/PATH}: files in git answer 200 with {@code ETag} = git sha1; LFS files
 *       answer 302 to a blob store on another port with {@code X-Linked-Etag} = sha256 and {@code X-Linked-Size};
 *       all carry {@code X-Repo-Commit}; errors carry {@code X-Error-Code} (RepoNotFound, RevisionNotFound,
 *       EntryNotFound, GatedRepo, with 401 without token and 403 with a wrong one);</li>
 *   <li>the blob store ({@code GET /blobs/SHA256?sig=...}, a raw socket server so a connection can really be cut):
 *       {@code Range: bytes=N-} answered 206, Authorization refused with 400 as signed S3 URLs do.</li>
 * </ul>
 *
 * Switches: cut the next blob transfer after N bytes, throttle, ignore Range, corrupt the next blob, hold blob
 * transfers until a number of listings arrived. It counts the body bytes it wrote per blob and logs every request.
 */
public final class FakeHub implements AutoCloseable {

    /** One request as the servers saw it. */
    public record Request(String server, String method, String path, String range, String authorization, int status) {
    }

    /** A file of a fake repository. */
    public record FakeFile(String path, byte[] content, boolean lfs) {

        public String sha256() {
            return hex("SHA-256", content);
        }

        /** The git blob id of what git stores: the content, or for LFS files the pointer text. */
        public String blobId() {
            byte[] stored = lfs ? pointer().getBytes(StandardCharsets.UTF_8) : content;
            return gitSha1(stored);
        }

        public String pointer() {
            return "version https://git-lfs.github.com/spec/v1\noid sha256:" + sha256() + "\nsize " + content.length
                    + "\n";
        }

        public String etag() {
            return lfs ? sha256() : blobId();
        }
    }

    /** A repository: one commit, reachable as "main" or by its sha. */
    public static final class FakeRepo {
        public final String id;
        public final String commit;
        public final Map<String, FakeFile> files = new LinkedHashMap<>();
        public volatile String requiredToken;   // non-null: gated, this token is granted

        FakeRepo(String id, String commit) {
            this.id = id;
            this.commit = commit;
        }

        public FakeRepo add(String path, byte[] content, boolean lfs) {
            files.put(path, new FakeFile(path, content, lfs));
            return this;
        }

        public FakeFile file(String path) {
            return files.get(path);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d*)");

    private final HttpServer hub;
    private final ServerSocket store;
    private final ExecutorService storeThreads = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, FakeRepo> repos = new ConcurrentHashMap<>();
    private final Map<String, FakeFile> blobsBySha = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> bytesServed = new ConcurrentHashMap<>();
    private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());

    private final AtomicLong cutNextAfter = new AtomicLong(-1);
    private final AtomicReference<CountDownLatch> holdBlobsUntilListings = new AtomicReference<>();
    private volatile boolean ignoreRange;
    private volatile boolean corruptNext;
    private volatile int throttleChunk = 0;
    private volatile long throttleMillis = 0;
    private volatile String storeHost = "127.0.0.1";

    public FakeHub() throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        hub = HttpServer.create(new InetSocketAddress(loopback, 0), 50);
        hub.createContext("/", this::handleHub);
        hub.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        hub.start();
        store = new ServerSocket(0, 50, loopback);
        Thread.ofVirtual().start(this::acceptStore);
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + hub.getAddress().getPort());
    }

    /**
     * The host name put in redirects to the blob store (it listens on loopback either way). Python clients follow a
     * redirect to the same host name, so a Python interop run needs another name here, e.g. "localhost".
     */
    public void storeHost(String host) {
        storeHost = host;
    }

    public int storePort() {
        return store.getLocalPort();
    }

    public FakeRepo addRepo(String id) {
        FakeRepo r = new FakeRepo(id, randomHex(id.hashCode(), 40));
        repos.put(id, r);
        return r;
    }

    /** Registers blobs for LFS files; call after adding files. */
    public FakeRepo publish(FakeRepo repo) {
        for (FakeFile f : repo.files.values()) {
            if (f.lfs()) {
                blobsBySha.put(f.sha256(), f);
            }
        }
        return repo;
    }

    public void cutNextBlobAfter(long bytes) {
        cutNextAfter.set(bytes);
    }

    public void ignoreRange(boolean on) {
        ignoreRange = on;
    }

    public void corruptNextBlob() {
        corruptNext = true;
    }

    public void throttle(int chunkBytes, long millis) {
        throttleChunk = chunkBytes;
        throttleMillis = millis;
    }

    /** Blob transfers wait until this many listing requests have arrived (up to 20 s): forces real contention. */
    public void holdBlobsUntilListings(int listings) {
        holdBlobsUntilListings.set(new CountDownLatch(listings));
    }

    public long bytesServed(String sha256) {
        AtomicLong n = bytesServed.get(sha256);
        return n == null ? 0 : n.get();
    }

    public long totalBytesServed() {
        return bytesServed.values().stream().mapToLong(AtomicLong::get).sum();
    }

    public List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    public void clearLog() {
        requests.clear();
        bytesServed.clear();
    }

    @Override
    public void close() throws IOException {
        hub.stop(0);
        store.close();
        storeThreads.shutdownNow();
    }

    // ---- the hub: API and resolve ----

    private void handleHub(HttpExchange ex) throws IOException {
        int status = 500;
        try (ex) {
            String method = ex.getRequestMethod();
            List<String> seg = segments(ex.getRequestURI().getRawPath());
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            if (seg.size() >= 5 && seg.get(0).equals("api") && seg.get(1).equals("models")
                    && seg.get(4).equals("revision")) {
                status = apiRevision(ex, seg.get(2) + "/" + seg.get(3), String.join("/", seg.subList(5, seg.size())));
                CountDownLatch latch = holdBlobsUntilListings.get();
                if (latch != null) {
                    latch.countDown();
                }
            } else if (seg.size() >= 5 && seg.get(0).equals("api") && seg.get(1).equals("models")
                    && seg.get(4).equals("tree")) {
                status = apiTree(ex, seg.get(2) + "/" + seg.get(3), seg.get(5));
            } else if (seg.size() >= 5 && seg.get(2).equals("resolve")) {
                status = resolve(ex, method, seg.get(0) + "/" + seg.get(1), seg.get(3),
                        String.join("/", seg.subList(4, seg.size())), auth);
            } else {
                status = error(ex, 404, null, "not found");
            }
        } finally {
            requests.add(new Request("hub", ex.getRequestMethod(), ex.getRequestURI().toString(),
                    ex.getRequestHeaders().getFirst("Range"), ex.getRequestHeaders().getFirst("Authorization"),
                    status));
        }
    }

    private int apiRevision(HttpExchange ex, String repoId, String revision) throws IOException {
        FakeRepo repo = repos.get(repoId);
        if (repo == null) {
            return error(ex, 404, "RepoNotFound", "Repository not found");
        }
        if (!revision.equals("main") && !revision.equals(repo.commit)) {
            return error(ex, 404, "RevisionNotFound", "Invalid rev id: " + revision);
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("_id", randomHex(repoId.hashCode() + 1, 24));
        root.put("id", repoId);
        root.put("modelId", repoId);
        root.put("sha", repo.commit);
        root.put("private", false);
        if (repo.requiredToken != null) {
            root.put("gated", "manual");   // gated repos list publicly; their files need a token
        } else {
            root.put("gated", false);
        }
        ArrayNode siblings = root.putArray("siblings");
        for (FakeFile f : repo.files.values()) {
            ObjectNode s = siblings.addObject();
            s.put("rfilename", f.path());
            s.put("size", f.content().length);
            s.put("blobId", f.blobId());
            if (f.lfs()) {
                ObjectNode lfs = s.putObject("lfs");
                lfs.put("sha256", f.sha256());
                lfs.put("size", f.content().length);
                lfs.put("pointerSize", f.pointer().length());
            }
        }
        byte[] body = JSON.writeValueAsBytes(root);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        ex.sendResponseHeaders(200, body.length);
        ex.getResponseBody().write(body);
        return 200;
    }

    /** {@code /api/models/ORG/NAME/tree/REV?recursive=true}, which recent huggingface_hub versions list with. */
    private int apiTree(HttpExchange ex, String repoId, String revision) throws IOException {
        FakeRepo repo = repos.get(repoId);
        if (repo == null) {
            return error(ex, 404, "RepoNotFound", "Repository not found");
        }
        if (!revision.equals("main") && !revision.equals(repo.commit)) {
            return error(ex, 404, "RevisionNotFound", "Invalid rev id: " + revision);
        }
        ArrayNode entries = JSON.createArrayNode();
        for (FakeFile f : repo.files.values()) {
            ObjectNode e = entries.addObject();
            e.put("type", "file");
            e.put("oid", f.blobId());
            e.put("size", f.content().length);
            e.put("path", f.path());
            if (f.lfs()) {
                ObjectNode lfs = e.putObject("lfs");
                lfs.put("oid", f.sha256());
                lfs.put("size", f.content().length);
                lfs.put("pointerSize", f.pointer().length());
            }
        }
        byte[] body = JSON.writeValueAsBytes(entries);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        ex.sendResponseHeaders(200, body.length);
        ex.getResponseBody().write(body);
        return 200;
    }

    private int resolve(HttpExchange ex, String method, String repoId, String revision, String path, String auth)
            throws IOException {
        FakeRepo repo = repos.get(repoId);
        if (repo == null) {
            return error(ex, 401, "RepoNotFound", "Repository not found");   // the hub hides private repos so
        }
        if (!revision.equals("main") && !revision.equals(repo.commit)) {
            return error(ex, 404, "RevisionNotFound", "Invalid rev id: " + revision);
        }
        ex.getResponseHeaders().set("X-Repo-Commit", repo.commit);
        if (repo.requiredToken != null && !("Bearer " + repo.requiredToken).equals(auth)) {
            return error(ex, auth == null ? 401 : 403, "GatedRepo", "Access to model " + repoId + " is restricted");
        }
        FakeFile f = repo.file(path);
        if (f == null) {
            return error(ex, 404, "EntryNotFound", "Entry not found");
        }
        var h = ex.getResponseHeaders();
        if (f.lfs()) {
            h.set("ETag", "\"" + f.blobId() + "\"");
            h.set("X-Linked-Etag", "\"" + f.sha256() + "\"");
            h.set("X-Linked-Size", String.valueOf(f.content().length));
            h.set("Location", "http://" + storeHost + ":" + storePort() + "/blobs/" + f.sha256() + "?X-Amz-Signature=fake");
            ex.sendResponseHeaders(302, -1);
            return 302;
        }
        h.set("ETag", "\"" + f.blobId() + "\"");
        h.set("Content-Type", "text/plain; charset=utf-8");
        if (method.equals("HEAD")) {
            h.set("Content-Length", String.valueOf(f.content().length));
            ex.sendResponseHeaders(200, -1);
            return 200;
        }
        long start = 0;
        String range = ex.getRequestHeaders().getFirst("Range");
        Matcher m = range == null ? null : RANGE.matcher(range);
        if (m != null && m.matches()) {
            start = Long.parseLong(m.group(1));
        }
        byte[] c = f.content();
        if (start > 0) {
            h.set("Content-Range", "bytes " + start + "-" + (c.length - 1) + "/" + c.length);
            ex.sendResponseHeaders(206, c.length - start);
        } else {
            ex.sendResponseHeaders(200, c.length);
        }
        ex.getResponseBody().write(c, (int) start, (int) (c.length - start));
        bytesServed.computeIfAbsent(f.etag(), k -> new AtomicLong()).addAndGet(c.length - start);
        return start > 0 ? 206 : 200;
    }

    private static int error(HttpExchange ex, int status, String code, String message) throws IOException {
        if (code != null) {
            ex.getResponseHeaders().set("X-Error-Code", code);
        }
        ex.getResponseHeaders().set("X-Error-Message", message);
        byte[] body = ("{\"error\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8);
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.sendResponseHeaders(status, -1);
        } else {
            ex.sendResponseHeaders(status, body.length);
            ex.getResponseBody().write(body);
        }
        return status;
    }

    private static List<String> segments(String rawPath) {
        List<String> out = new ArrayList<>();
        for (String s : rawPath.split("/")) {
            if (!s.isEmpty()) {
                out.add(URLDecoder.decode(s, StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    // ---- the blob store: a raw HTTP/1.1 server, one request per connection ----

    private void acceptStore() {
        while (!store.isClosed()) {
            try {
                Socket s = store.accept();
                storeThreads.submit(() -> serveBlob(s));
            } catch (IOException e) {
                return;   // closed
            }
        }
    }

    private void serveBlob(Socket socket) {
        String method = "?";
        String path = "?";
        String range = null;
        String auth = null;
        int status = 500;
        try (socket) {
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.ISO_8859_1));
            String line = in.readLine();
            if (line == null) {
                return;
            }
            String[] parts = line.split(" ");
            method = parts[0];
            path = parts[1];
            for (String h; (h = in.readLine()) != null && !h.isEmpty(); ) {
                int colon = h.indexOf(':');
                String name = h.substring(0, colon).strip().toLowerCase(Locale.ROOT);
                String value = h.substring(colon + 1).strip();
                if (name.equals("range")) {
                    range = value;
                } else if (name.equals("authorization")) {
                    auth = value;
                }
            }
            OutputStream out = socket.getOutputStream();
            String sha = URI.create(path).getPath().replaceFirst("^/blobs/", "");
            FakeFile f = blobsBySha.get(sha);
            if (auth != null) {
                status = 400;   // a signed URL: an Authorization header is one auth mechanism too many
                writeHead(out, 400, "Bad Request", 0, null);
                return;
            }
            if (f == null) {
                status = 404;
                writeHead(out, 404, "Not Found", 0, null);
                return;
            }
            CountDownLatch hold = holdBlobsUntilListings.get();
            if (hold != null) {
                hold.await(20, TimeUnit.SECONDS);
            }
            byte[] content = f.content();
            if (corruptNext) {
                corruptNext = false;
                content = content.clone();
                content[content.length / 2] ^= 0x5a;
            }
            long start = 0;
            Matcher m = range == null ? null : RANGE.matcher(range);
            if (m != null && m.matches() && !ignoreRange) {
                start = Long.parseLong(m.group(1));
            }
            if (start > content.length) {
                status = 416;
                writeHead(out, 416, "Range Not Satisfiable", 0, null);
                return;
            }
            long length = content.length - start;
            status = start > 0 ? 206 : 200;
            writeHead(out, status, start > 0 ? "Partial Content" : "OK", length,
                    start > 0 ? "bytes " + start + "-" + (content.length - 1) + "/" + content.length : null);
            if (method.equals("HEAD")) {
                return;
            }
            long cut = cutNextAfter.getAndSet(-1);
            long limit = cut >= 0 ? Math.min(cut, length) : length;
            AtomicLong counter = bytesServed.computeIfAbsent(sha, k -> new AtomicLong());
            int chunk = throttleChunk > 0 ? throttleChunk : 64 * 1024;
            long sent = 0;
            while (sent < limit) {
                int n = (int) Math.min(chunk, limit - sent);
                out.write(content, (int) (start + sent), n);
                out.flush();
                sent += n;
                counter.addAndGet(n);
                if (throttleMillis > 0) {
                    Thread.sleep(throttleMillis);
                }
            }
            out.flush();
            // when cut, closing the socket here ends the response short of its Content-Length
        } catch (IOException | InterruptedException e) {
            // the client went away: nothing to do
        } finally {
            requests.add(new Request("store", method, path, range, auth, status));
        }
    }

    private static void writeHead(OutputStream out, int status, String reason, long length, String contentRange)
            throws IOException {
        StringBuilder sb = new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reason).append("\r\n");
        sb.append("Content-Length: ").append(length).append("\r\n");
        sb.append("Content-Type: application/octet-stream\r\n");
        sb.append("Accept-Ranges: bytes\r\n");
        if (contentRange != null) {
            sb.append("Content-Range: ").append(contentRange).append("\r\n");
        }
        sb.append("Connection: close\r\n\r\n");
        out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    // ---- helpers shared by the tests ----

    public static byte[] randomBytes(long seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    public static String gitSha1(byte[] content) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-1");
            md.update(("blob " + content.length + "\0").getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(md.digest(content));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static String hex(String algorithm, byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(content));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String randomHex(long seed, int n) {
        byte[] b = randomBytes(seed, (n + 1) / 2);
        return HexFormat.of().formatHex(b).substring(0, n);
    }
}
