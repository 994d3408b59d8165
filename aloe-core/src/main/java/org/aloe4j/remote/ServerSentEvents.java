package org.aloe4j.remote;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Reads a {@code text/event-stream} body one event at a time (the WHATWG rules that matter for OpenAI streams: lines
 * {@code data: ...} accumulate, a blank line ends the event, lines starting with {@code :} are comments, other fields
 * are ignored). Returns the event's data, or null at the end of the stream.
 */
final class ServerSentEvents implements AutoCloseable {

    private final InputStream in;
    private final BufferedReader reader;

    ServerSentEvents(InputStream in) {
        this.in = in;
        this.reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    /** The next event's data (several data lines joined with newlines), or null when the stream has ended. */
    String next() throws IOException {
        StringBuilder data = null;
        String line;
        while ((line = reader.readLine()) != null) {
            if (line.isEmpty()) {
                if (data != null) {
                    return data.toString();
                }
                continue;
            }
            if (line.startsWith(":")) {
                continue;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            if (field.equals("data")) {
                if (data == null) {
                    data = new StringBuilder(value);
                } else {
                    data.append('\n').append(value);
                }
            }
        }
        // A stream that ends without the closing blank line still delivers its last event.
        return data == null ? null : data.toString();
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException ignored) {
            // closing an aborted stream: nothing to recover
        }
    }
}
