package org.aloe4j.formats.safetensors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aloe4j.formats.ModelFormatException;
import org.aloe4j.formats.Printable;

/**
 * Reads and validates a safetensors header: an 8-byte little-endian length N, N bytes of UTF-8 JSON, then the data
 * region. The rules are those of the reference implementation (huggingface/safetensors): N at most 100 MB, no
 * duplicate keys, every tensor's byte range equal to its shape times its dtype size, and the ranges tiling the data
 * region exactly (no overlap, no gap, nothing after the last tensor).
 */
final class SafeTensorsHeader {
    /** The reference implementation's limit. */
    static final long MAX_HEADER_BYTES = 100_000_000L;
    static final String METADATA_KEY = "__metadata__";

    /** A tensor's entry before the data is sliced: offsets relative to the data region. */
    record Entry(String name, SafeTensorsDType dtype, long[] shape, long begin, long end) {}

    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    final long headerBytes;
    final long dataStart;
    final Map<String, String> metadata;
    final List<Entry> entries;

    private final Path file;

    SafeTensorsHeader(Path file, MemorySegment seg) {
        this.file = file;
        long size = seg.byteSize();
        if (size < 8) {
            throw fail("too short to be a safetensors file (" + size + " bytes)");
        }
        long n = seg.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (n < 0 || n > MAX_HEADER_BYTES) {
            throw fail("header length " + Long.toUnsignedString(n) + " is over the " + MAX_HEADER_BYTES
                    + "-byte limit (not a safetensors file?)");
        }
        if (n > size - 8) {
            throw fail("header length " + n + " is larger than the " + (size - 8)
                    + " bytes after the length field (truncated?)");
        }
        headerBytes = n;
        dataStart = 8 + n;
        byte[] json = seg.asSlice(8, n).toArray(ValueLayout.JAVA_BYTE);
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at header byte " + e.getLocation().getByteOffset();
            throw fail("malformed JSON header: " + oneLine(e.getOriginalMessage()) + where, e);
        } catch (IOException e) {
            throw fail("malformed JSON header: " + oneLine(e.getMessage()), e);
        }
        if (root == null || !root.isObject()) {
            throw fail("header is not a JSON object");
        }
        Map<String, String> meta = new LinkedHashMap<>();
        List<Entry> list = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            String key = field.getKey();
            JsonNode value = field.getValue();
            if (key.equals(METADATA_KEY)) {
                readMetadata(value, meta);
            } else {
                list.add(entry(key, value));
            }
        }
        metadata = Collections.unmodifiableMap(meta);
        entries = List.copyOf(list);
        checkLayout(size - dataStart);
    }

    private void readMetadata(JsonNode value, Map<String, String> meta) {
        if (value.isNull()) {
            return;
        }
        if (!value.isObject()) {
            throw fail(METADATA_KEY + " is not a JSON object");
        }
        for (Map.Entry<String, JsonNode> m : value.properties()) {
            if (!m.getValue().isTextual()) {
                throw fail(METADATA_KEY + " value of '" + Printable.of(m.getKey()) + "' is not a string");
            }
            meta.put(m.getKey(), m.getValue().textValue());
        }
    }

    private Entry entry(String name, JsonNode node) {
        String shown = "tensor '" + Printable.of(name) + "'";
        if (!node.isObject()) {
            throw fail(shown + " is not a JSON object");
        }
        JsonNode dtypeNode = node.get("dtype");
        JsonNode shapeNode = node.get("shape");
        JsonNode offsetsNode = node.get("data_offsets");
        if (dtypeNode == null || shapeNode == null || offsetsNode == null) {
            String missing = dtypeNode == null ? "dtype" : shapeNode == null ? "shape" : "data_offsets";
            throw fail(shown + " has no '" + missing + "'");
        }
        if (!dtypeNode.isTextual()) {
            throw fail(shown + " dtype is not a string");
        }
        SafeTensorsDType dtype = SafeTensorsDType.byName(dtypeNode.textValue());
        if (dtype == null) {
            throw fail(shown + " has unknown dtype '" + Printable.of(dtypeNode.textValue()) + "'");
        }
        if (!shapeNode.isArray()) {
            throw fail(shown + " shape is not an array");
        }
        long[] shape = new long[shapeNode.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = nonNegativeLong(shapeNode.get(i), shown + " shape[" + i + "]");
            try {
                elements = Math.multiplyExact(elements, shape[i]);
            } catch (ArithmeticException e) {
                throw fail(shown + " element count overflows");
            }
        }
        if (!offsetsNode.isArray() || offsetsNode.size() != 2) {
            throw fail(shown + " data_offsets is not an array of two numbers");
        }
        long begin = nonNegativeLong(offsetsNode.get(0), shown + " data_offsets[0]");
        long end = nonNegativeLong(offsetsNode.get(1), shown + " data_offsets[1]");
        if (end < begin) {
            throw fail(shown + " data_offsets [" + begin + ", " + end + "] end before they begin");
        }
        long expected;
        try {
            expected = Math.multiplyExact(elements, dtype.byteSize());
        } catch (ArithmeticException e) {
            throw fail(shown + " byte size overflows");
        }
        if (end - begin != expected) {
            throw fail(shown + " holds " + (end - begin) + " bytes [" + begin + ", " + end + ") but its shape and "
                    + dtype + " need " + expected);
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    private long nonNegativeLong(JsonNode n, String what) {
        if (n == null || !n.isIntegralNumber() || !n.canConvertToLong() || n.longValue() < 0) {
            throw fail(what + " is not a non-negative integer: " + Printable.of(String.valueOf(n)));
        }
        return n.longValue();
    }

    /** Every tensor inside the data region; sorted by offset they tile it exactly. */
    private void checkLayout(long dataBytes) {
        for (Entry e : entries) {
            if (e.end() > dataBytes) {
                throw fail("tensor '" + Printable.of(e.name()) + "' data [" + e.begin() + ", " + e.end()
                        + ") is beyond the " + dataBytes + "-byte data region (truncated?)");
            }
        }
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long covered = 0;
        Entry previous = null;
        for (Entry e : sorted) {
            if (e.begin() < covered) {
                throw fail("tensors '" + Printable.of(previous.name()) + "' and '" + Printable.of(e.name())
                        + "' overlap (data offsets " + previous.begin() + ".." + previous.end() + " and "
                        + e.begin() + ".." + e.end() + ")");
            }
            if (e.begin() > covered) {
                throw fail("data bytes " + covered + ".." + e.begin() + " belong to no tensor (gap before tensor '"
                        + Printable.of(e.name()) + "')");
            }
            covered = e.end();
            if (e.end() > e.begin() || previous == null) {
                previous = e;
            }
        }
        if (covered != dataBytes) {
            throw fail("the last " + (dataBytes - covered) + " bytes of the " + dataBytes
                    + "-byte data region belong to no tensor");
        }
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
    }

    private ModelFormatException fail(String problem) {
        return new ModelFormatException(file, problem);
    }

    private ModelFormatException fail(String problem, Throwable cause) {
        return new ModelFormatException(file, problem, cause);
    }
}
