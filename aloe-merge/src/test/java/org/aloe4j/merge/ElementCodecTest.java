package org.aloe4j.merge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import org.aloe4j.formats.safetensors.SafeTensorsDType;
import org.junit.jupiter.api.Test;

class ElementCodecTest {

    @Test
    void bf16RoundsToNearestEven() {
        assertEquals((short) 0x3F80, ElementCodec.floatToBf16(1.0f));
        // 1 + 2^-8 is halfway between bf16 1.0 (0x3F80) and 1.0078125 (0x3F81): ties go to the even 0x3F80
        assertEquals((short) 0x3F80, ElementCodec.floatToBf16(1f + 0x1p-8f));
        // 1 + 3*2^-8 is halfway between 0x3F81 and 0x3F82: to the even 0x3F82
        assertEquals((short) 0x3F82, ElementCodec.floatToBf16(1f + 3 * 0x1p-8f));
        // just above the halfway point rounds up
        assertEquals((short) 0x3F81, ElementCodec.floatToBf16(1f + 0x1p-8f + 0x1p-20f));
        assertEquals((short) 0xBF80, ElementCodec.floatToBf16(-1.0f));
        // the largest float rounds to infinity, as torch does
        assertEquals((short) 0x7F80, ElementCodec.floatToBf16(Float.MAX_VALUE));
        assertTrue(Float.isNaN(ElementCodec.bf16ToFloat(ElementCodec.floatToBf16(Float.NaN))));
        assertEquals(-0.0f, ElementCodec.bf16ToFloat(ElementCodec.floatToBf16(-0.0f)));
    }

    @Test
    void writesAndReadsEachType() {
        float[] values = {1f, -2.5f, 0.1f, 65504f, 3.0e-5f};
        for (SafeTensorsDType t : new SafeTensorsDType[] {SafeTensorsDType.F32, SafeTensorsDType.F16,
                SafeTensorsDType.BF16}) {
            byte[] bytes = new byte[values.length * 4];
            int n = ElementCodec.write(values, values.length, t, bytes);
            assertEquals(values.length * t.byteSize(), n);
            float[] back = new float[values.length];
            ElementCodec.read(MemorySegment.ofArray(bytes), t, 0, back, 0, values.length);
            for (int i = 0; i < values.length; i++) {
                float expected = switch (t) {
                    case F32 -> values[i];
                    case F16 -> Float.float16ToFloat(Float.floatToFloat16(values[i]));
                    default -> ElementCodec.bf16ToFloat(ElementCodec.floatToBf16(values[i]));
                };
                assertEquals(expected, back[i], t + " " + values[i]);
            }
        }
        // little-endian: bf16 1.0 is 0x3F80 -> bytes 80 3F
        byte[] one = new byte[4];
        ElementCodec.write(new float[] {1f}, 1, SafeTensorsDType.BF16, one);
        assertArrayEquals(new byte[] {(byte) 0x80, 0x3F}, java.util.Arrays.copyOf(one, 2));
    }
}
