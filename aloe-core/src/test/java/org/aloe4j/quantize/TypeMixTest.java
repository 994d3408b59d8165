package org.aloe4j.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.aloe4j.formats.gguf.GGMLType;
import org.junit.jupiter.api.Test;

class TypeMixTest {
    private static final long[] MATRIX = {4096, 4096};

    @Test
    void moreBitsLayersOf32LayerModel() {
        // llama.cpp's Q4_K_M for 32 layers: ffn_down and attn_v in Q6_K on these layers (n/8 = 4, 7n/8 = 28)
        List<Integer> expected = List.of(0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31);
        TypeMix mix = new TypeMix(FileType.Q4_K_M, 32, false, false);
        List<Integer> q6 = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            GGMLType down = mix.typeOf("blk." + i + ".ffn_down.weight", new long[] {14336, 4096});
            assertEquals(down, mix.typeOf("blk." + i + ".attn_v.weight", new long[] {4096, 1024}), "layer " + i);
            assertEquals(GGMLType.Q4_K, mix.typeOf("blk." + i + ".attn_q.weight", MATRIX));
            assertEquals(GGMLType.Q4_K, mix.typeOf("blk." + i + ".ffn_up.weight", MATRIX));
            if (down == GGMLType.Q6_K) {
                q6.add(i);
            } else {
                assertEquals(GGMLType.Q4_K, down);
            }
        }
        assertEquals(expected, q6);
    }

    @Test
    void outputAndEmbeddings() {
        TypeMix q4 = new TypeMix(FileType.Q4_0, 28, false, false);
        assertEquals(GGMLType.Q6_K, q4.typeOf("output.weight", new long[] {3584, 152064}));
        assertEquals(GGMLType.Q4_0, q4.typeOf("token_embd.weight", new long[] {3584, 152064}));
        TypeMix tied = new TypeMix(FileType.Q4_0, 28, true, false);
        assertEquals(GGMLType.Q6_K, tied.typeOf("token_embd.weight", new long[] {3584, 152064}));
        TypeMix q8 = new TypeMix(FileType.Q8_0, 28, false, false);
        assertEquals(GGMLType.Q8_0, q8.typeOf("output.weight", new long[] {3584, 152064}));
        // rows of 128 cannot hold Q6_K blocks of 256: Q8_0
        assertEquals(GGMLType.Q8_0, q4.typeOf("output.weight", new long[] {128, 1000}));
    }

    @Test
    void oneDimensionalAndNormsStayF32() {
        for (FileType ft : FileType.values()) {
            TypeMix mix = new TypeMix(ft, 2, false, false);
            assertEquals(GGMLType.F32, mix.typeOf("blk.0.attn_q.bias", new long[] {4096}));
            assertEquals(GGMLType.F32, mix.typeOf("blk.0.attn_norm.weight", new long[] {4096}));
            assertEquals(GGMLType.F32, mix.typeOf("rope_freqs.weight", new long[] {64}));
            assertEquals(ft.baseType == GGMLType.F32 ? GGMLType.F32 : ft.baseType == GGMLType.F16 ? GGMLType.F16
                    : ft.baseType == GGMLType.BF16 ? GGMLType.BF16 : mix.typeOf("blk.0.attn_q.weight", MATRIX),
                    mix.typeOf("blk.0.attn_q.weight", MATRIX));
        }
    }

    @Test
    void fallbacksForNarrowRows() {
        TypeMix km = new TypeMix(FileType.Q4_K_M, 2, false, false);
        assertEquals(GGMLType.Q5_0, km.typeOf("blk.0.attn_q.weight", new long[] {128, 128}));
        assertEquals(GGMLType.Q5_0, km.typeOf("blk.0.ffn_down.weight", new long[] {384, 128}));
        assertEquals(GGMLType.Q8_0, km.typeOf("blk.1.ffn_down.weight", new long[] {384, 128})); // Q6_K layer
        TypeMix k5 = new TypeMix(FileType.Q5_K_M, 2, false, false);
        assertEquals(GGMLType.Q5_1, k5.typeOf("blk.0.attn_q.weight", new long[] {128, 128}));
        TypeMix q4 = new TypeMix(FileType.Q4_0, 2, false, false);
        assertEquals(GGMLType.F16, q4.typeOf("blk.0.attn_q.weight", new long[] {100, 128}));
    }

    @Test
    void seventyBClassGivesAttnVMoreBits() {
        assertTrue(TypeMix.isSeventyBClass("qwen2", 80, 64, 8));
        assertTrue(TypeMix.isSeventyBClass("llama", 80, 64, 8));
        assertFalse(TypeMix.isSeventyBClass("llama", 80, 64, 64));
        assertFalse(TypeMix.isSeventyBClass("qwen2", 28, 28, 4));
        TypeMix mix = new TypeMix(FileType.Q4_K_M, 80, false, true);
        assertEquals(GGMLType.Q5_K, mix.typeOf("blk.20.attn_v.weight", new long[] {8192, 1024}));
        assertEquals(GGMLType.Q6_K, mix.typeOf("blk.0.attn_v.weight", new long[] {8192, 1024}));
        assertEquals(GGMLType.Q4_K, mix.typeOf("blk.20.attn_k.weight", new long[] {8192, 1024}));
    }

    @Test
    void parsesNamesCaseInsensitively() {
        assertEquals(FileType.Q4_K_M, FileType.parse("q4_k_m"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FileType.parse("Q3_K"));
        assertTrue(e.getMessage().contains("Q4_K_M"), e.getMessage());
    }
}
