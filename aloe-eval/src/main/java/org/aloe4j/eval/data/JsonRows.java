package org.aloe4j.eval.data;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PushbackReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads JSON rows with their line numbers: JSON lines (one object per line), or one JSON array of objects. A line
 * that is not a JSON object becomes a {@link RowError} and reading goes on.
 */
final class JsonRows {
    private JsonRows() {}

    static final ObjectMapper JSON = new ObjectMapper();

    interface RowHandler {
        void row(long line, JsonNode row);
    }

    static void read(Path file, List<RowError> errors, RowHandler handler) {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            PushbackReader in = new PushbackReader(r, 1);
            int c;
            do {
                c = in.read();
            } while (c == '\uFEFF' || (c >= 0 && Character.isWhitespace(c)));
            if (c >= 0) {
                in.unread(c);
            }
            if (c == '[') {
                readArray(file, in, errors, handler);
            } else {
                readLines(file, errors, handler);
            }
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static void readLines(Path file, List<RowError> errors, RowHandler handler) throws IOException {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            long no = 0;
            while ((line = r.readLine()) != null) {
                no++;
                if (no == 1 && line.startsWith("\uFEFF")) {
                    line = line.substring(1);
                }
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n;
                try {
                    n = JSON.readTree(line);
                } catch (JsonProcessingException e) {
                    errors.add(new RowError(file, no, "not valid JSON: " + e.getOriginalMessage()));
                    continue;
                }
                if (n == null || !n.isObject()) {
                    errors.add(new RowError(file, no, "not a JSON object"));
                    continue;
                }
                handler.row(no, n);
            }
        }
    }

    private static void readArray(Path file, java.io.Reader in, List<RowError> errors, RowHandler handler)
            throws IOException {
        try (JsonParser p = JSON.createParser(in)) {
            p.nextToken(); // START_ARRAY
            JsonToken t;
            while ((t = p.nextToken()) != null && t != JsonToken.END_ARRAY) {
                long line = p.currentTokenLocation().getLineNr();
                JsonNode n = p.readValueAsTree();
                if (t != JsonToken.START_OBJECT) {
                    errors.add(new RowError(file, line, "not a JSON object"));
                    continue;
                }
                handler.row(line, n);
            }
        } catch (JsonProcessingException e) {
            errors.add(new RowError(file, e.getLocation() == null ? 0 : e.getLocation().getLineNr(),
                    "not valid JSON (the rest of the file is skipped): " + e.getOriginalMessage()));
        }
    }

    /** A text field, or null when missing, null or blank. */
    static String text(JsonNode row, String field) {
        JsonNode n = row.get(field);
        if (n == null || n.isNull() || n.isContainerNode()) {
            return null;
        }
        String s = n.asText();
        return s.isBlank() ? null : s;
    }
}
