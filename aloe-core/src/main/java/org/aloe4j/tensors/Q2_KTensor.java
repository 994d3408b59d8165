package org.aloe4j.tensors;

import static org.aloe4j.tensors.Simd.F;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import org.aloe4j.formats.gguf.GGMLType;

/**
 * ggml {@code block_q2_K}: 256 values in 84 bytes: 16 bytes {@code scales} (low nibble scale, high nibble min, one
 * byte per 16 values), 64 bytes {@code qs}, then {@code d} and {@code dmin} (fp16). Half {@code n} (128 values) reads
 * {@code qs[32n .. 32n+32)}; its values {@code 32j + l} are bits {@code 2j, 2j+1} of {@code qs[32n + l]}, with scale
 * byte {@code 8n + 2j + l/16}; {@code w = (d * scale) * q - dmin * min}.
 */
public final class Q2_KTensor extends Tensor {
    private static final int BLOCK = 256;
    private static final int BLOCK_BYTES = 84;

    public Q2_KTensor(String name, MemorySegment data, long rows, int cols) {
        super(name, GGMLType.Q2_K, data, rows, cols);
    }

    @Override
    protected void dequantizeBlock(long offset, float[] out, int outOffset) {
        MemorySegment data = data();
        float d = Simd.f16(data, offset + 80);
        float dmin = Simd.f16(data, offset + 82);
        int o = outOffset;
        for (int n = 0; n < 2; n++) {
            long qs = offset + 16 + 32 * n;
            for (int j = 0; j < 4; j++) {
                for (int half = 0; half < 2; half++) {
                    int sc = Simd.u8(data, offset + 8 * n + 2 * j + half);
                    float dl = d * (sc & 0x0F);
                    float ml = dmin * (sc >>> 4);
                    for (int l = 0; l < 16; l++) {
                        int q = (Simd.u8(data, qs + 16 * half + l) >>> (2 * j)) & 3;
                        out[o++] = dl * q - ml;
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
        // weights by fma(q, dl, -ml): dl * q is exact (4-bit scale, 11-bit d, 2-bit q), so this rounds once like
        // the reference and the weights are bit-exact; only the accumulation order differs
        FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++, offset += BLOCK_BYTES, xOffset += BLOCK) {
            float d = Simd.f16(data, offset + 80);
            float dmin = Simd.f16(data, offset + 82);
            int xo = xOffset;
            for (int n = 0; n < 2; n++) {
                long qs = offset + 16 + 32 * n;
                long scales = data.get(Simd.LE_LONG, offset + 8 * n);
                for (int j = 0; j < 4; j++) {
                    for (int half = 0; half < 2; half++, xo += 16) {
                        int sc = (int) (scales >>> (8 * (2 * j + half))) & 0xFF;
                        FloatVector dl = FloatVector.broadcast(F, d * (sc & 0x0F));
                        FloatVector negMl = FloatVector.broadcast(F, -(dmin * (sc >>> 4)));
                        for (int l = 0; l < 16; l += lanes) {
                            ByteVector q = Simd.shiftRightBytes(Simd.loadBytes(data, qs + 16 * half + l), 2 * j)
                                    .and((byte) 3);
                            FloatVector w = Simd.bytesToFloats(q).fma(dl, negMl);
                            if (half == 0) {
                                acc0 = w.fma(FloatVector.fromArray(F, x, xo + l), acc0);
                            } else {
                                acc1 = w.fma(FloatVector.fromArray(F, x, xo + l), acc1);
                            }
                        }
                    }
                }
            }
        }
        return VectorSums.ordered(acc0.add(acc1));
    }
}
