package org.aloe4j.hub;

import java.io.IOException;

/**
 * A failure to get a file from the hub or the cache. The message is one line meant for the user: it names the repo,
 * revision or file and says what to do. {@link #reason()} lets callers react (for example, fall back to the cache
 * when the hub is unreachable).
 */
public final class HubException extends IOException {

    /** Why the file could not be had. */
    public enum Reason {
        /** The repository does not exist (or is private and no valid token was sent). */
        REPO_NOT_FOUND,
        /** The repository exists but not that branch, tag or commit. */
        REVISION_NOT_FOUND,
        /** The repository and revision exist but not that file. */
        FILE_NOT_FOUND,
        /** The repository is gated or private and the token is missing or not granted access. */
        ACCESS_DENIED,
        /** The hub cannot be reached (connection refused, DNS failure, timeout). */
        UNREACHABLE,
        /** The connection broke during a transfer more often than the retries allow; a new run resumes. */
        TRANSFER_FAILED,
        /** Offline mode (or an unreachable hub) and the cache does not hold what was asked for. */
        NOT_IN_CACHE,
        /** Downloaded bytes do not match the size or hash the hub announced. */
        INTEGRITY,
        /** The local cache cannot be read or written. */
        CACHE_IO,
        /** Any other unexpected answer from the hub. */
        HTTP
    }

    private final Reason reason;

    public HubException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public HubException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
