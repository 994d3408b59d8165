package org.aloe4j.tokenizer;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads only the metadata key/values of a GGUF file, in the map shape the project's GGUF reader produces (small integers
 * and INT32 as Integer, UINT32 as Long, arrays as String[] / int[] / float[] / long[] / boolean[]). A stand-in for tests until
 * {@code org.aloe4j.formats.gguf.GGUFFile} is in main.
 */
final class GGUFMetadataForTests {
    private GGUFMetadataForTests() {}

    static Map<String, Object> read(Path file) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            DataInputStream in = new DataInputStream(raw);
            byte[] magic = in.readNBytes(4);
            if (!new String(magic, StandardCharsets.US_ASCII).equals("GGUF")) {
                throw new IOException(file + ": not a GGUF file");
            }
            int version = u32(in);
            if (version < 2) {
                throw new IOException(file + ": GGUF version " + version + " not supported");
            }
            u64(in); // tensor count
            long kvCount = u64(in);
            Map<String, Object> md = new LinkedHashMap<>();
            for (long i = 0; i < kvCount; i++) {
                String key = string(in);
                md.put(key, value(in, u32(in)));
            }
            return md;
        }
    }

    private static Object value(DataInputStream in, int type) throws IOException {
        return switch (type) {
            case 0 -> in.readUnsignedByte();
            case 1 -> (int) in.readByte();
            case 2 -> Short.reverseBytes(in.readShort()) & 0xFFFF;
            case 3 -> (int) Short.reverseBytes(in.readShort());
            case 4 -> (long) u32(in);
            case 5 -> u32(in);
            case 6 -> Float.intBitsToFloat(u32(in));
            case 7 -> in.readByte() != 0;
            case 8 -> string(in);
            case 9 -> array(in);
            case 10, 11 -> u64(in);
            case 12 -> Double.longBitsToDouble(u64(in));
            default -> throw new IOException("unknown GGUF value type " + type);
        };
    }

    private static Object array(DataInputStream in) throws IOException {
        int type = u32(in);
        int n = Math.toIntExact(u64(in));
        switch (type) {
            case 8 -> {
                String[] a = new String[n];
                for (int i = 0; i < n; i++) {
                    a[i] = string(in);
                }
                return a;
            }
            case 5 -> {
                int[] a = new int[n];
                for (int i = 0; i < n; i++) {
                    a[i] = u32(in);
                }
                return a;
            }
            case 4 -> {
                long[] a = new long[n];
                for (int i = 0; i < n; i++) {
                    a[i] = u32(in) & 0xFFFFFFFFL;
                }
                return a;
            }
            case 6 -> {
                float[] a = new float[n];
                for (int i = 0; i < n; i++) {
                    a[i] = Float.intBitsToFloat(u32(in));
                }
                return a;
            }
            case 7 -> {
                boolean[] a = new boolean[n];
                for (int i = 0; i < n; i++) {
                    a[i] = in.readByte() != 0;
                }
                return a;
            }
            default -> {
                Object[] a = new Object[n];
                for (int i = 0; i < n; i++) {
                    a[i] = value(in, type);
                }
                return a;
            }
        }
    }

    private static int u32(DataInputStream in) throws IOException {
        return Integer.reverseBytes(in.readInt());
    }

    private static long u64(DataInputStream in) throws IOException {
        return Long.reverseBytes(in.readLong());
    }

    private static String string(DataInputStream in) throws IOException {
        int n = Math.toIntExact(u64(in));
        return new String(in.readNBytes(n), StandardCharsets.UTF_8);
    }
}
