package org.aloe4j.quantize;

import java.util.Objects;
import org.aloe4j.formats.gguf.GGMLType;

/**
 * The common loop of the quantizers: argument checks, then one {@link #quantizeBlock} per block. A subclass that needs
 * work arrays creates them once per call in {@link #newScratch} (not per block: a 7B model has 30 million blocks).
 */
abstract class BlockQuantizer implements Quantizer {
    private final GGMLType type;

    BlockQuantizer(GGMLType type) {
        this.type = type;
    }

    @Override
    public final GGMLType type() {
        return type;
    }

    @Override
    public final void quantize(float[] src, int srcOffset, int count, byte[] dst, int dstOffset) {
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(dst, "dst");
        if (count < 0 || count % type.blockSize != 0) {
            throw new IllegalArgumentException(count + " values are not a whole number of " + type + " blocks of "
                    + type.blockSize);
        }
        int blocks = count / type.blockSize;
        Objects.checkFromIndexSize(srcOffset, count, src.length);
        Objects.checkFromIndexSize(dstOffset, Math.multiplyExact(blocks, type.blockBytes), dst.length);
        Object scratch = newScratch();
        for (int b = 0; b < blocks; b++) {
            quantizeBlock(src, srcOffset + b * type.blockSize, dst, dstOffset + b * type.blockBytes, scratch);
        }
    }

    /** Work arrays for one call (null when none are needed). */
    Object newScratch() {
        return null;
    }

    /** Writes the block of {@code x[xOffset .. xOffset + blockSize)} at {@code y[yOffset]}; bounds are checked. */
    abstract void quantizeBlock(float[] x, int xOffset, byte[] y, int yOffset, Object scratch);
}
