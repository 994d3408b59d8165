package org.aloe4j.hub;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Where the hub is, where the cache lives and how to talk to the hub, read from the same environment variables as
 * Python's {@code huggingface_hub} so both share one cache.
 *
 * <ul>
 *   <li>{@code HF_ENDPOINT} (default {@code https://huggingface.co}).</li>
 *   <li>{@code HF_HUB_CACHE}, else the legacy {@code HUGGINGFACE_HUB_CACHE}, else {@code $HF_HOME/hub};
 *       {@code HF_HOME} defaults to {@code $XDG_CACHE_HOME/huggingface}, else {@code ~/.cache/huggingface}.</li>
 *   <li>{@code HF_TOKEN} (or the legacy {@code HUGGING_FACE_HUB_TOKEN}), else the file {@code HF_TOKEN_PATH}, else
 *       {@code $HF_HOME/token} (written by {@code hf auth login}).</li>
 *   <li>{@code HF_HUB_OFFLINE} or {@code TRANSFORMERS_OFFLINE} = 1/ON/YES/TRUE: resolve from the cache only.</li>
 * </ul>
 *
 * @param endpoint the hub's base URL, without trailing slash
 * @param cacheDir the hub cache folder (holds {@code models--ORG--NAME} folders)
 * @param token a bearer token for gated or private repos, or {@code null}
 * @param offline whether to resolve from the cache only
 * @param parallelDownloads how many files are downloaded at once
 * @param retries how many times a failed transfer is retried (resuming with a Range request) before giving up
 * @param retryDelay the pause before a retry
 * @param connectTimeout the TCP connect timeout
 */
public record HubConfig(URI endpoint, Path cacheDir, String token, boolean offline, int parallelDownloads,
                        int retries, Duration retryDelay, Duration connectTimeout) {

    public static final String DEFAULT_ENDPOINT = "https://huggingface.co";

    public HubConfig {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(cacheDir, "cacheDir");
        String e = endpoint.toString();
        if (e.endsWith("/")) {
            endpoint = URI.create(e.substring(0, e.length() - 1));
        }
        if (token != null && token.isBlank()) {
            token = null;
        }
        if (parallelDownloads < 1) {
            throw new IllegalArgumentException("parallelDownloads must be at least 1, got " + parallelDownloads);
        }
        if (retries < 0) {
            throw new IllegalArgumentException("retries must be >= 0, got " + retries);
        }
    }

    /** The configuration from this process's environment variables. */
    public static HubConfig fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    /** The configuration from the given environment map (tests pass their own). */
    public static HubConfig fromEnvironment(Map<String, String> env) {
        Path home = Path.of(System.getProperty("user.home"));
        Path hfHome = env.containsKey("HF_HOME") ? expandHome(env.get("HF_HOME"), home)
                : (env.containsKey("XDG_CACHE_HOME") ? expandHome(env.get("XDG_CACHE_HOME"), home)
                        : home.resolve(".cache")).resolve("huggingface");
        Path cache = env.containsKey("HF_HUB_CACHE") ? expandHome(env.get("HF_HUB_CACHE"), home)
                : env.containsKey("HUGGINGFACE_HUB_CACHE") ? expandHome(env.get("HUGGINGFACE_HUB_CACHE"), home)
                : hfHome.resolve("hub");
        String endpoint = env.getOrDefault("HF_ENDPOINT", DEFAULT_ENDPOINT);
        String token = firstNonBlank(env.get("HF_TOKEN"), env.get("HUGGING_FACE_HUB_TOKEN"));
        if (token == null) {
            Path tokenFile = env.containsKey("HF_TOKEN_PATH") ? expandHome(env.get("HF_TOKEN_PATH"), home)
                    : hfHome.resolve("token");
            token = readToken(tokenFile);
        }
        boolean offline = isTrue(env.get("HF_HUB_OFFLINE")) || isTrue(env.get("TRANSFORMERS_OFFLINE"));
        return new HubConfig(URI.create(endpoint.strip()), cache, token, offline, 4, 5,
                Duration.ofSeconds(1), Duration.ofSeconds(10));
    }

    /** A configuration for a given endpoint and cache, online, without token (tests and embedding). */
    public static HubConfig of(URI endpoint, Path cacheDir) {
        return new HubConfig(endpoint, cacheDir, null, false, 4, 5, Duration.ofSeconds(1), Duration.ofSeconds(10));
    }

    public HubConfig withToken(String newToken) {
        return new HubConfig(endpoint, cacheDir, newToken, offline, parallelDownloads, retries, retryDelay,
                connectTimeout);
    }

    public HubConfig withOffline(boolean newOffline) {
        return new HubConfig(endpoint, cacheDir, token, newOffline, parallelDownloads, retries, retryDelay,
                connectTimeout);
    }

    public HubConfig withParallelDownloads(int n) {
        return new HubConfig(endpoint, cacheDir, token, offline, n, retries, retryDelay, connectTimeout);
    }

    public HubConfig withRetries(int n, Duration delay) {
        return new HubConfig(endpoint, cacheDir, token, offline, parallelDownloads, n, delay, connectTimeout);
    }

    @Override
    public String toString() {
        // never print the token
        return "HubConfig[endpoint=" + endpoint + ", cacheDir=" + cacheDir + ", token=" + (token == null ? "none" : "set")
                + ", offline=" + offline + ", parallelDownloads=" + parallelDownloads + ", retries=" + retries + "]";
    }

    /** Python's {@code _is_true}: 1, ON, YES, TRUE in any case. */
    static boolean isTrue(String value) {
        if (value == null) {
            return false;
        }
        String v = value.strip().toUpperCase(Locale.ROOT);
        return v.equals("1") || v.equals("ON") || v.equals("YES") || v.equals("TRUE");
    }

    private static Path expandHome(String value, Path home) {
        String v = value.strip();
        if (v.equals("~")) {
            return home;
        }
        if (v.startsWith("~/")) {
            return home.resolve(v.substring(2));
        }
        return Path.of(v);
    }

    private static String firstNonBlank(String a, String b) {
        if (a != null && !a.isBlank()) {
            return a.strip();
        }
        if (b != null && !b.isBlank()) {
            return b.strip();
        }
        return null;
    }

    private static String readToken(Path file) {
        try {
            if (Files.isRegularFile(file)) {
                String t = Files.readString(file).strip();
                return t.isEmpty() ? null : t;
            }
        } catch (IOException e) {
            // an unreadable token file is the same as none: public repos still work
        }
        return null;
    }
}
