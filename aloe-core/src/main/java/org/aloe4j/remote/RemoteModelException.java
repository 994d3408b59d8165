package org.aloe4j.remote;

import java.net.URI;

/**
 * A call to an OpenAI-compatible server failed. The message is one line naming the method, the URL, the HTTP status
 * (when there was one) and the server's own error text, fit to be shown to a user as it is.
 */
public class RemoteModelException extends RuntimeException {

    private final URI uri;
    private final int status;

    public RemoteModelException(String method, URI uri, int status, String problem, Throwable cause) {
        super(method + " " + uri + ": " + (status > 0 ? "HTTP " + status + ": " : "") + problem, cause);
        this.uri = uri;
        this.status = status;
    }

    public RemoteModelException(String method, URI uri, int status, String problem) {
        this(method, uri, status, problem, null);
    }

    /** The URL that was called. */
    public URI uri() {
        return uri;
    }

    /** The HTTP status, or -1 when the server did not answer (connection refused, timeout, broken stream). */
    public int status() {
        return status;
    }
}
