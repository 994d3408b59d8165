package org.aloe4j.eval.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code generations.jsonl}: one JSON object per finished item, appended and forced to disk at once, so that a run
 * killed at any moment (even with -9) loses at most the line being written. On opening, a last line without its
 * newline (or that is not valid JSON) is a torn write: it is cut off, and that item runs again. A broken line
 * anywhere else means the file was edited by hand: that is an error, not something to repair silently.
 */
public final class GenerationsLog implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final FileChannel channel;
    private final Map<String, JsonNode> records = new LinkedHashMap<>();
    private final boolean droppedTornLine;

    private GenerationsLog(Path file) throws IOException {
        this.file = file;
        long keep = 0;
        boolean torn = false;
        if (Files.exists(file)) {
            byte[] bytes = Files.readAllBytes(file);
            int start = 0;
            int lineNo = 0;
            while (start < bytes.length) {
                lineNo++;
                int nl = indexOf(bytes, (byte) '\n', start);
                boolean complete = nl >= 0;
                int end = complete ? nl : bytes.length;
                String line = new String(bytes, start, end - start, StandardCharsets.UTF_8);
                JsonNode n = null;
                if (!line.isBlank()) {
                    try {
                        n = JSON.readTree(line);
                    } catch (JsonProcessingException e) {
                        n = null;
                    }
                }
                boolean last = !complete || nl + 1 >= bytes.length;
                if (!line.isBlank() && (n == null || !n.isObject() || !n.hasNonNull("id") || !complete)) {
                    if (last) {
                        torn = true; // the line being written when the run was killed
                        break;
                    }
                    throw new IOException(file + ":" + lineNo + ": not a complete JSON record with an \"id\";"
                            + " the file was changed by hand (only its last line can be torn by a crash)");
                }
                if (n != null) {
                    records.put(n.get("id").asText(), n);
                }
                keep = complete ? nl + 1 : bytes.length;
                start = (int) keep;
            }
        }
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        if (channel.size() != keep) {
            channel.truncate(keep);
        }
        channel.position(keep);
        this.droppedTornLine = torn;
    }

    /** Opens (creating if needed) and reads the finished items. */
    public static GenerationsLog open(Path file) throws IOException {
        return new GenerationsLog(file);
    }

    private static int indexOf(byte[] b, byte v, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == v) {
                return i;
            }
        }
        return -1;
    }

    public Path file() {
        return file;
    }

    /** True when a torn last line was found and cut off. */
    public boolean droppedTornLine() {
        return droppedTornLine;
    }

    /** The finished items by id, in file order. */
    public synchronized Map<String, JsonNode> records() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(records));
    }

    public synchronized List<JsonNode> recordList() {
        return new ArrayList<>(records.values());
    }

    /** Appends one record (it must have an "id") as one line and forces it to disk before returning. */
    public synchronized void append(JsonNode record) throws IOException {
        if (!record.hasNonNull("id")) {
            throw new IllegalArgumentException("a record needs an id");
        }
        byte[] line = (JSON.writeValueAsString(record) + "\n").getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.wrap(line);
        while (buf.hasRemaining()) {
            channel.write(buf);
        }
        channel.force(false);
        records.put(record.get("id").asText(), record);
    }

    @Override
    public synchronized void close() throws IOException {
        channel.close();
    }
}
