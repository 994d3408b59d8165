package org.aloe4j.tensors;

import static org.aloe4j.tensors.Simd.F;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import org.aloe4j.formats.gguf.GGMLType;

/**
 * ggml {@code block_q3_K}: 256 values in 110 bytes: 32 bytes {@code hmask}, 64 bytes {@code qs}, 12 bytes of packed
 * 6-bit scales, {@code d} (fp16). Value {@code 128n + 32j + l} takes its low 2 bits from bits {@code 2j, 2j+1} of
 * {@code qs[32n + l]} and subtracts 4 unless bit {@code 4n + j} of {@code hmask[l]} is set; its scale is number
 * {@code 8n + 2j + l/16}; {@code w = (d * (scale - 32)) * q}.
 */
public final class Q3_KTensor extends Tensor {
    private static final int BLOCK = 256;
    private static final int BLOCK_BYTES = 110;

    public Q3_KTensor(String name, MemorySegment data, long rows, int cols) {
        super(name, GGMLType.Q3_K, data, rows, cols);
    }

    /**
     * Scale {@code k} (0..15), already minus 32: low 4 bits from the nibbles of bytes 0..7 (low nibbles for k < 8, high
     * nibbles for k >= 8), top 2 bits from byte {@code 8 + k % 4}, bits {@code 2 * (k / 4)}.
     */
    static int scale(MemorySegment data, long scales, int k) {
        int low = (Simd.u8(data, scales + (k & 7)) >>> (4 * (k >>> 3))) & 0x0F;
        int high = (Simd.u8(data, scales + 8 + (k & 3)) >>> (2 * (k >>> 2))) & 3;
        return (low | (high << 4)) - 32;
    }

    /** {@link #scale(MemorySegment, long, int)} from the 12 bytes loaded as a long (bytes 0..7) and an int (8..11). */
    static int scale(long low, int high, int k) {
        int lowBits = (int) (low >>> (8 * (k & 7) + 4 * (k >>> 3))) & 0x0F;
        int highBits = (high >>> (8 * (k & 3) + 2 * (k >>> 2))) & 3;
        return (lowBits | (highBits << 4)) - 32;
    }

    @Override
    protected void dequantizeBlock(long offset, float[] out, int outOffset) {
        MemorySegment data = data();
        float d = Simd.f16(data, offset + 108);
        long hmask = offset;
        int o = outOffset;
        for (int n = 0; n < 2; n++) {
            long qs = offset + 32 + 32 * n;
            for (int j = 0; j < 4; j++) {
                int bit = 4 * n + j;
                for (int half = 0; half < 2; half++) {
                    float dl = d * scale(data, offset + 96, 8 * n + 2 * j + half);
                    for (int l = 16 * half; l < 16 * half + 16; l++) {
                        int q = (Simd.u8(data, qs + l) >>> (2 * j)) & 3;
                        int high = (Simd.u8(data, hmask + l) >>> bit) & 1;
                        out[o++] = dl * (q - (high == 0 ? 4 : 0));
                    }
                }
            }
        }
    }

    @Override
    public float dot(long row, float[] x, int xOffset) {
        if (!Simd.ENABLED) {
            return dotScalar(row, x, xOffset);
        }
        long offset = rowOffsetForDot(row, x, xOffset);
        MemorySegment data = data();
        int lanes = F.length();
        int blocks = cols() / BLOCK;
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++, offset += BLOCK_BYTES, xOffset += BLOCK) {
            float d = Simd.f16(data, offset + 108);
            long scalesLow = data.get(Simd.LE_LONG, offset + 96);
            int scalesHigh = data.get(Simd.LE_INT, offset + 104);
            int xo = xOffset;
            for (int n = 0; n < 2; n++) {
                long qs = offset + 32 + 32 * n;
                for (int j = 0; j < 4; j++) {
                    int bit = 4 * n + j;
                    for (int half = 0; half < 2; half++, xo += 16) {
                        FloatVector sum = FloatVector.zero(F);
                        for (int l = 16 * half; l < 16 * half + 16; l += lanes) {
                            ByteVector low = Simd.shiftRightBytes(Simd.loadBytes(data, qs + l), 2 * j).and((byte) 3);
                            ByteVector hm = Simd.loadBytes(data, offset + l);
                            // bit 'bit' of the hmask byte to bit 2 (value 4)
                            ByteVector high = (bit >= 2 ? Simd.shiftRightBytes(hm, bit - 2) : Simd.shiftLeftBytes(hm, 2 - bit))
                                    .and((byte) 4);
                            // (q | high << 2) - 4 = q - (high bit clear ? 4 : 0)
                            FloatVector q = Simd.bytesToFloats(low.or(high).sub((byte) 4));
                            sum = q.fma(FloatVector.fromArray(F, x, xo + l - 16 * half), sum);
                        }
                        float dl = d * scale(scalesLow, scalesHigh, 8 * n + 2 * j + half);
                        acc = sum.fma(FloatVector.broadcast(F, dl), acc);
                    }
                }
            }
        }
        return VectorSums.ordered(acc);
    }
}
