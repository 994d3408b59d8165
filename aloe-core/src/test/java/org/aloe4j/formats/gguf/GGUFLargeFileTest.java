package org.aloe4j.formats.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sparse GGUF of just over 4 GiB (only a few kilobytes are actually written): a 2 GiB tensor, one tensor whose data
 * starts past 2^31 and one past 2^32. Checks that mapping, offsets and slices work with 64-bit positions.
 */
class GGUFLargeFileTest {
    private static final ValueLayout.OfFloat F32 =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @TempDir
    Path tmp;

    @Test
    void tensorsPastTwoAndFourGiBReadBack() throws IOException {
        long bigElements = 1L << 29; // 2 GiB of F32
        long offsetA = 1L << 31;
        long offsetB = (1L << 32) + 64;
        byte[] header = RawGGUF.header(3, 1)
                .kvString("general.architecture", "sparse")
                .tensor("big", new long[] {1024, bigElements / 1024}, GGMLType.F32.id, 0)
                .tensor("past2g", new long[] {8}, GGMLType.F32.id, offsetA)
                .tensor("past4g", new long[] {4, 2}, GGMLType.F32.id, offsetB)
                .pad(32)
                .toByteArray();
        long dataOffset = header.length;
        Path file = tmp.resolve("sparse.gguf");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(header), 0);
            ch.write(floats(1.5f), dataOffset); // first value of big
            ch.write(floats(-2.5f), dataOffset + 4 * bigElements - 4); // last value of big
            ch.write(floats(0, 1, 2, 3, 4, 5, 6, 7), dataOffset + offsetA);
            ch.write(floats(10, 11, 12, 13, 14, 15, 16, 17), dataOffset + offsetB);
        }
        try {
            assertEquals(dataOffset + offsetB + 32, Files.size(file));
            assertTrue(Files.size(file) > (1L << 32));
            try (GGUFFile g = GGUFFile.open(file)) {
                assertEquals(dataOffset, g.dataOffset());
                GGUFTensorInfo big = g.tensor("big");
                assertEquals(bigElements, big.elements());
                assertEquals(bigElements / 1024, big.rows());
                MemorySegment bigData = g.tensorData(big);
                assertEquals(4 * bigElements, bigData.byteSize());
                assertEquals(1.5f, bigData.get(F32, 0));
                assertEquals(-2.5f, bigData.get(F32, bigData.byteSize() - 4));
                assertEquals(0f, bigData.get(F32, bigData.byteSize() / 2)); // a hole reads as zeros

                GGUFTensorInfo a = g.tensor("past2g");
                assertEquals(offsetA, a.offset());
                assertTrue(g.dataOffset() + a.offset() > Integer.MAX_VALUE);
                assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 6, 7}, g.tensorData(a).toArray(F32));

                GGUFTensorInfo b = g.tensor("past4g");
                assertTrue(g.dataOffset() + b.offset() > 1L << 32);
                assertEquals(2, b.rows());
                assertArrayEquals(new float[] {10, 11, 12, 13, 14, 15, 16, 17}, g.tensorData(b).toArray(F32));
                assertEquals(14f, g.segment().get(F32, g.dataOffset() + b.offset() + 16));
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static ByteBuffer floats(float... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.flip();
    }
}
