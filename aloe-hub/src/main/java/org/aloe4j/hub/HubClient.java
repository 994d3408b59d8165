package org.aloe4j.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The few calls of the Hugging Face hub HTTP API a download needs, with {@link java.net.http.HttpClient}:
 *
 * <ul>
 *   <li>{@link #listing}: {@code GET /api/models/{repo}/revision/{rev}?blobs=true}: the commit sha and every file
 *       ({@code siblings}: {@code rfilename}, {@code size}, {@code blobId}, {@code lfs.sha256}).</li>
 *   <li>{@link #metadata}: {@code HEAD /{repo}/resolve/{rev}/{path}}, following only relative redirects (renamed
 *       repos), not the redirect of LFS files to the blob store / CDN, whose {@code Location} is kept.</li>
 *   <li>{@link #open}: {@code GET} of that location, with {@code Range: bytes=N-} to resume.</li>
 * </ul>
 *
 * The token is sent as {@code Authorization: Bearer} only to the hub's own host, never to a blob store on another
 * host (signed URLs there reject it, and it must not leak). Hub errors are turned into {@link HubException}s with a
 * one-line message, using the hub's {@code X-Error-Code} header ({@code RepoNotFound}, {@code RevisionNotFound},
 * {@code EntryNotFound}, {@code GatedRepo}). Thread-safe; one instance serves parallel downloads.
 */
public final class HubClient {

    /** An open response body positioned at {@code start} of the file. */
    public record Transfer(InputStream body, long start, OptionalLong contentLength) {
    }

    private static final Set<Integer> RETRY_STATUS = Set.of(408, 429, 500, 502, 503, 504);
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
    private static final Duration API_TIMEOUT = Duration.ofSeconds(30);
    private static final String USER_AGENT = "aloe4j/0.1.0; java/" + Runtime.version().feature();

    private final HubConfig config;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();

    public HubClient(HubConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.http = HttpClient.newBuilder()
                // one TCP connection per parallel transfer, as Python's client does: HTTP/2 would multiplex the
                // shards over a single connection and share one congestion window
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)   // redirects are followed by hand, see class comment
                .build();
    }

    public HubConfig config() {
        return config;
    }

    /** {@code {endpoint}/{repo}/resolve/{revision}/{path}}, encoded as {@code hf_hub_url} encodes it. */
    public URI resolveUrl(String repoId, String revision, String path) {
        return URI.create(config.endpoint() + "/" + repoId + "/resolve/" + encode(revision, false) + "/"
                + encode(path, true));
    }

    /** The commit a revision points at and the repository's files there. */
    public RepoListing listing(String repoId, String revision) throws HubException {
        requireOnline(repoId, revision);
        URI uri = URI.create(config.endpoint() + "/api/models/" + repoId + "/revision/" + encode(revision, false)
                + "?blobs=true");
        HttpResponse<byte[]> response = send(request(uri).GET().timeout(API_TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofByteArray(), repoId, revision, null);
        if (response.statusCode() != 200) {
            throw failure(response.statusCode(), response.headers(), repoId, revision, null);
        }
        try {
            JsonNode root = json.readTree(response.body());
            String commit = root.path("sha").asText(null);
            if (commit == null || !HubCache.isCommit(commit)) {
                throw new HubException(HubException.Reason.HTTP, "the hub at " + config.endpoint()
                        + " answered the listing of " + repoId + "@" + revision + " without a commit sha");
            }
            List<RepoFile> files = new ArrayList<>();
            for (JsonNode s : root.path("siblings")) {
                String name = s.path("rfilename").asText(null);
                JsonNode lfs = s.path("lfs");
                String sha256 = lfs.isObject() ? lfs.path("sha256").asText(lfs.path("oid").asText(null)) : null;
                long size = lfs.isObject() && lfs.has("size") ? lfs.get("size").asLong() : s.path("size").asLong(-1);
                String blobId = s.path("blobId").asText(null);
                if (name == null || size < 0 || blobId == null) {
                    throw new HubException(HubException.Reason.HTTP, "the hub's listing of " + repoId + "@"
                            + revision + " lacks size or blobId for " + name + " (was ?blobs=true ignored?)");
                }
                files.add(new RepoFile(name, size, blobId, sha256));
            }
            return new RepoListing(repoId, revision, commit, files);
        } catch (IOException e) {
            throw new HubException(HubException.Reason.HTTP, "the hub's listing of " + repoId + "@" + revision
                    + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    /** What {@code HEAD .../resolve/...} says about one file. */
    public FileMetadata metadata(String repoId, String revision, String path) throws HubException {
        requireOnline(repoId, revision);
        URI uri = resolveUrl(repoId, revision, path);
        for (int hops = 0; hops < 10; hops++) {
            HttpRequest req = request(uri).method("HEAD", HttpRequest.BodyPublishers.noBody())
                    .header("Accept-Encoding", "identity").timeout(API_TIMEOUT).build();
            HttpResponse<Void> response = send(req, HttpResponse.BodyHandlers.discarding(), repoId, revision, path);
            int status = response.statusCode();
            HttpHeaders h = response.headers();
            Optional<String> location = h.firstValue("Location");
            if (status / 100 == 3 && location.isPresent() && isRelative(location.get())) {
                uri = uri.resolve(location.get());   // renamed repo: same hub, follow
                continue;
            }
            if (status / 100 != 2 && status / 100 != 3) {
                throw failure(status, h, repoId, revision, path);
            }
            String commit = h.firstValue("X-Repo-Commit").orElse(null);
            String etag = FileMetadata.normalizeEtag(h.firstValue("X-Linked-Etag").or(() -> h.firstValue("ETag"))
                    .orElse(null));
            String sizeText = h.firstValue("X-Linked-Size")
                    .or(() -> status / 100 == 3 ? Optional.empty() : h.firstValue("Content-Length")).orElse(null);
            if (commit == null) {
                throw new HubException(HubException.Reason.HTTP, config.endpoint() + " does not look like a Hugging"
                        + " Face hub (no X-Repo-Commit header for " + repoId + "/" + path
                        + "); check HF_ENDPOINT and any proxy");
            }
            if (etag == null || sizeText == null) {
                throw new HubException(HubException.Reason.HTTP, "the hub gave no " + (etag == null ? "ETag" : "size")
                        + " for " + repoId + "/" + path + "; cannot download it reproducibly");
            }
            URI target = status / 100 == 3 && location.isPresent() ? uri.resolve(location.get()) : uri;
            return new FileMetadata(commit, etag, Long.parseLong(sizeText.strip()), target);
        }
        throw new HubException(HubException.Reason.HTTP, "too many redirects for " + repoId + "/" + path);
    }

    /**
     * Starts the download of a file's content from {@code location} at byte {@code offset}. The answer starts at
     * {@link Transfer#start()}: {@code offset} when the server honoured the Range, 0 when it sent the whole file.
     */
    public Transfer open(URI location, long offset, String repoId, String path) throws HubException {
        URI uri = location;
        for (int hops = 0; hops < 10; hops++) {
            HttpRequest.Builder b = request(uri).GET();
            if (offset > 0) {
                b.header("Range", "bytes=" + offset + "-");
            }
            HttpResponse<InputStream> response = send(b.build(), BodyStream.handler(), repoId,
                    null, path);
            int status = response.statusCode();
            HttpHeaders h = response.headers();
            if (status / 100 == 3 && h.firstValue("Location").isPresent()) {
                closeQuietly(response.body());
                uri = uri.resolve(h.firstValue("Location").get());
                continue;
            }
            if (status == 200) {
                return new Transfer(response.body(), 0, h.firstValueAsLong("Content-Length"));
            }
            if (status == 206) {
                Matcher m = CONTENT_RANGE.matcher(h.firstValue("Content-Range").orElse(""));
                if (!m.matches() || Long.parseLong(m.group(1)) != offset) {
                    closeQuietly(response.body());
                    throw new HubException(HubException.Reason.HTTP, "the server answered a Range request for "
                            + repoId + "/" + path + " at byte " + offset + " with Content-Range '"
                            + h.firstValue("Content-Range").orElse("") + "'");
                }
                return new Transfer(response.body(), offset, h.firstValueAsLong("Content-Length"));
            }
            closeQuietly(response.body());
            throw failure(status, h, repoId, null, path);
        }
        throw new HubException(HubException.Reason.HTTP, "too many redirects downloading " + repoId + "/" + path);
    }

    private void requireOnline(String repoId, String revision) throws HubException {
        if (config.offline()) {
            throw new HubException(HubException.Reason.NOT_IN_CACHE, "HF_HUB_OFFLINE is set, so " + repoId + "@"
                    + revision + " cannot be looked up on the hub; unset it or use what is in the cache");
        }
    }

    private HttpRequest.Builder request(URI uri) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("User-Agent", USER_AGENT);
        if (config.token() != null && sameOrigin(uri, config.endpoint())) {
            b.header("Authorization", "Bearer " + config.token());
        }
        return b;
    }

    /** Sends, retrying on 408/429/5xx and transient I/O errors; connection failures become UNREACHABLE at once. */
    private <T> HttpResponse<T> send(HttpRequest req, HttpResponse.BodyHandler<T> handler, String repoId,
                                     String revision, String path) throws HubException {
        int attempt = 0;
        while (true) {
            try {
                HttpResponse<T> response = http.send(req, handler);
                if (RETRY_STATUS.contains(response.statusCode()) && attempt < config.retries()) {
                    if (response.body() instanceof InputStream in) {
                        closeQuietly(in);
                    }
                    pause(++attempt);
                    continue;
                }
                return response;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new HubException(HubException.Reason.TRANSFER_FAILED, "interrupted while talking to "
                        + req.uri().getHost(), e);
            } catch (IOException e) {
                if (isUnreachable(e)) {
                    throw unreachable(req.uri(), e);
                }
                if (attempt >= config.retries()) {
                    throw new HubException(HubException.Reason.TRANSFER_FAILED, "request to " + req.uri().getHost()
                            + " for " + repoId + (path == null ? "" : "/" + path) + " failed: " + describe(e), e);
                }
                pause(++attempt);
            }
        }
    }

    private HubException unreachable(URI uri, IOException e) {
        String where = uri.getScheme() + "://" + uri.getAuthority();
        return new HubException(HubException.Reason.UNREACHABLE, "cannot reach the Hugging Face hub at " + where
                + " (" + describe(e) + "); check the network or HF_ENDPOINT, or use a local file instead:"
                + " --model /path/to/file.gguf", e);
    }

    static boolean isUnreachable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof UnknownHostException
                    || t instanceof UnresolvedAddressException || t instanceof HttpConnectTimeoutException) {
                return true;
            }
        }
        return false;
    }

    static String describe(Throwable e) {
        Throwable t = e;
        while ((t.getMessage() == null || t.getMessage().isBlank()) && t.getCause() != null) {
            t = t.getCause();
        }
        String msg = t.getMessage();
        if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
            return "host name not found" + (msg == null ? "" : ": " + msg);
        }
        if (t instanceof HttpTimeoutException) {
            return "timed out";
        }
        return t.getClass().getSimpleName() + (msg == null || msg.isBlank() ? "" : ": " + msg);
    }

    private HubException failure(int status, HttpHeaders h, String repoId, String revision, String path) {
        String code = h.firstValue("X-Error-Code").orElse("");
        String hubMessage = h.firstValue("X-Error-Message").map(m -> " (" + m + ")").orElse("");
        String at = revision == null ? "" : " at revision '" + revision + "'";
        String repoPage = config.endpoint() + "/" + repoId;
        if (code.equals("GatedRepo") || ((status == 401 || status == 403) && path != null
                && !code.equals("RepoNotFound"))) {
            String how = config.token() == null
                    ? "set HF_TOKEN=hf_... (a token from " + config.endpoint() + "/settings/tokens) or save it in"
                    + " $HF_HOME/token"
                    : "the token in HF_TOKEN (or $HF_HOME/token) has not been granted access";
            return new HubException(HubException.Reason.ACCESS_DENIED, repoId + " is a gated repository (HTTP "
                    + status + "): request access at " + repoPage + ", then " + how);
        }
        if (code.equals("RevisionNotFound")) {
            return new HubException(HubException.Reason.REVISION_NOT_FOUND, "revision '" + revision
                    + "' not found in " + repoId + " (" + repoPage + ")");
        }
        if (code.equals("EntryNotFound") || (status == 404 && path != null && !code.equals("RepoNotFound"))) {
            return new HubException(HubException.Reason.FILE_NOT_FOUND, "file '" + path + "' not found in "
                    + repoId + at);
        }
        if (code.equals("RepoNotFound") || status == 404 || status == 401) {
            String hint = config.token() == null
                    ? "; if it is private or gated, set HF_TOKEN=hf_... (a token from " + config.endpoint()
                    + "/settings/tokens)" : "; check the name and that your token (HF_TOKEN) may read it";
            return new HubException(HubException.Reason.REPO_NOT_FOUND, "repository " + repoId + " not found on "
                    + config.endpoint() + hint);
        }
        if (status == 403) {
            return new HubException(HubException.Reason.ACCESS_DENIED, "access to " + repoId
                    + (path == null ? "" : "/" + path) + " is forbidden (HTTP 403)" + hubMessage
                    + "; check that your token (HF_TOKEN) has read permission");
        }
        return new HubException(HubException.Reason.HTTP, "the hub answered HTTP " + status + hubMessage + " for "
                + repoId + (path == null ? "" : "/" + path) + at);
    }

    private void pause(int attempt) throws HubException {
        try {
            Thread.sleep(config.retryDelay().multipliedBy(attempt));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HubException(HubException.Reason.TRANSFER_FAILED, "interrupted", e);
        }
    }

    private static boolean isRelative(String location) {
        URI u = URI.create(location.strip());
        return u.getScheme() == null && u.getAuthority() == null;
    }

    static boolean sameOrigin(URI a, URI b) {
        return Objects.equals(a.getScheme(), b.getScheme()) && Objects.equals(a.getHost(), b.getHost())
                && effectivePort(a) == effectivePort(b);
    }

    private static int effectivePort(URI u) {
        if (u.getPort() >= 0) {
            return u.getPort();
        }
        return "https".equals(u.getScheme()) ? 443 : 80;
    }

    /** Python's {@code urllib.parse.quote}: keeps letters, digits, {@code _.-~} (and {@code /} when asked). */
    static String encode(String text, boolean keepSlash) {
        StringBuilder sb = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.'
                    || c == '-' || c == '~' || (keepSlash && c == '/')) {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return sb.toString();
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            // nothing left to read from a response we are abandoning
        }
    }
}
