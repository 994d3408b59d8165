package org.aloe4j.tensors;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;
import org.aloe4j.formats.gguf.GGMLType;

/**
 * Random but valid weight tensors: random bytes for every quant, and finite fp16 values (normal and subnormal, both
 * signs, magnitudes 2^-20 .. 1) in each block's fp16 scale fields.
 */
final class RandomTensors {
    private RandomTensors() {}

    private static final ValueLayout.OfShort LE_SHORT =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat LE_FLOAT =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Byte offsets of the fp16 fields inside one block (ggml-common.h block structs). */
    static int[] halfFields(GGMLType type) {
        return switch (type) {
            case Q8_0, Q4_0, Q5_0 -> new int[] {0};
            case Q4_1, Q5_1, Q4_K, Q5_K -> new int[] {0, 2};
            case Q2_K -> new int[] {80, 82};
            case Q3_K -> new int[] {108};
            case Q6_K -> new int[] {208};
            default -> new int[0];
        };
    }

    static Tensor create(GGMLType type, long rows, int cols, long seed, Arena arena) {
        Random random = new Random(seed);
        long bytes = rows * type.bytesFor(cols);
        MemorySegment data = arena.allocate(bytes, 64);
        switch (type) {
            case F32 -> {
                for (long i = 0; i < bytes; i += 4) {
                    data.set(LE_FLOAT, i, random.nextFloat() * 2 - 1);
                }
            }
            case F16 -> {
                for (long i = 0; i < bytes; i += 2) {
                    short h;
                    do {
                        h = (short) random.nextInt(1 << 16);
                    } while ((h & 0x7C00) == 0x7C00); // no infinities or NaN
                    data.set(LE_SHORT, i, h);
                }
            }
            case BF16 -> {
                for (long i = 0; i < bytes; i += 2) {
                    float f = (float) ((random.nextFloat() * 2 - 1) * Math.pow(2, random.nextInt(41) - 20));
                    data.set(LE_SHORT, i, (short) (Float.floatToRawIntBits(f) >>> 16));
                }
            }
            default -> {
                byte[] noise = new byte[(int) bytes];
                random.nextBytes(noise);
                MemorySegment.copy(MemorySegment.ofArray(noise), 0, data, 0, bytes);
                int[] fields = halfFields(type);
                for (long block = 0; block < bytes; block += type.blockBytes) {
                    for (int field : fields) {
                        data.set(LE_SHORT, block + field, randomScale(random));
                    }
                }
            }
        }
        return Tensors.wrap(type + "-" + rows + "x" + cols, type, data, rows, cols);
    }

    static short randomScale(Random random) {
        double magnitude = Math.pow(2, -20 + 20 * random.nextDouble());
        return Float.floatToFloat16((float) (random.nextBoolean() ? magnitude : -magnitude));
    }

    static float[] randomVector(int length, long seed) {
        Random random = new Random(seed);
        float[] x = new float[length];
        for (int i = 0; i < length; i++) {
            x[i] = random.nextFloat() * 2 - 1;
        }
        return x;
    }
}
