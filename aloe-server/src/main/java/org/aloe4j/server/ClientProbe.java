package org.aloe4j.server;

import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.BufferUtil;

/**
 * Tells whether the client of a non-streamed request is still there, without writing anything (which would commit
 * the status before the answer is known). Jetty does not watch the socket while a handler runs, so this reads it:
 * once the request body has been consumed, an HTTP/1.1 client waiting for its answer sends nothing, and a read
 * returning end-of-stream means it closed the connection. Should a client pipeline a next request instead, the
 * probe stops reading and the connection is closed after this response, so no request is lost half-read.
 */
final class ClientProbe {
    private final EndPoint endPoint;
    private boolean sawData;

    private ClientProbe(EndPoint endPoint) {
        this.endPoint = endPoint;
    }

    /** A probe for the request's connection, or null when the connection is not HTTP/1.1 over a plain socket. */
    static ClientProbe of(HttpServletRequest request) {
        try {
            ServletContextRequest core = ServletContextRequest.getServletContextRequest(request);
            if (core == null || !"HTTP/1.1".equals(request.getProtocol())) {
                return null;
            }
            return new ClientProbe(core.getConnectionMetaData().getConnection().getEndPoint());
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** False once the client has closed its side (or the connection failed). */
    boolean clientConnected() {
        if (sawData) {
            return true;
        }
        if (!endPoint.isOpen()) {
            return false;
        }
        try {
            int n = endPoint.fill(BufferUtil.allocate(1)); // Jetty buffers start empty in flush mode (limit 0)
            if (n > 0) {
                sawData = true; // a pipelined request: stop probing, and do not keep the connection
                return true;
            }
            return n == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether the response must close the connection (a byte of a pipelined request was consumed). */
    boolean mustClose() {
        return sawData;
    }
}
