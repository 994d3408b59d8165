package org.aloe4j.tensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.aloe4j.formats.ModelFormatException;
import org.aloe4j.formats.gguf.GGMLType;
import org.junit.jupiter.api.Test;

class TensorsTest {

    @Test
    void unsupportedTypeIsNamedInOneLine() {
        MemorySegment data = MemorySegment.ofArray(new byte[66]);
        UnsupportedTensorTypeException e = assertThrows(UnsupportedTensorTypeException.class,
                () -> Tensors.wrap("blk.3.ffn_down.weight", GGMLType.IQ2_XXS, data, 1, 256));
        assertInstanceOf(ModelFormatException.class, e);
        assertEquals("tensor 'blk.3.ffn_down.weight' has type IQ2_XXS, which aloe4j cannot compute with (supported: "
                + "F32, F16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, BF16)", e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void isSupportedListsExactlyTheThirteenTypes() {
        int supported = 0;
        for (GGMLType type : GGMLType.values()) {
            if (Tensors.isSupported(type)) {
                supported++;
            }
        }
        assertEquals(13, supported);
        for (GGMLType type : DotChecks.TYPES) {
            assertTrue(Tensors.isSupported(type), type.name());
        }
        assertFalse(Tensors.isSupported(GGMLType.IQ4_XS));
        assertFalse(Tensors.isSupported(GGMLType.Q8_K));
    }

    @Test
    void wrapMakesTheClassOfTheType() {
        try (Arena arena = Arena.ofConfined()) {
            for (GGMLType type : DotChecks.TYPES) {
                Tensor t = RandomTensors.create(type, 2, 256, 1, arena);
                assertEquals(type, t.type());
                assertEquals(type.name() + "Tensor", t.getClass().getSimpleName());
                assertEquals(2, t.rows());
                assertEquals(256, t.cols());
                assertEquals(type.bytesFor(256), t.rowBytes());
            }
        }
    }

    @Test
    void shapeErrorsNameTheTensor() {
        MemorySegment data = MemorySegment.ofArray(new byte[18 * 4]);
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> Tensors.wrap("token_embd.weight", GGMLType.Q4_0, data, 3, 32));
        assertTrue(size.getMessage().startsWith("tensor 'token_embd.weight': Q4_0 3 x 32 needs 54 bytes but the data"
                + " has 72"), size.getMessage());
        IllegalArgumentException block = assertThrows(IllegalArgumentException.class,
                () -> Tensors.wrap("output.weight", GGMLType.Q6_K, data, 1, 100));
        assertTrue(block.getMessage().contains("'output.weight'") && block.getMessage().contains("256"),
                block.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tensors.wrap("x", GGMLType.F32, data, 0, 18));
    }
}
