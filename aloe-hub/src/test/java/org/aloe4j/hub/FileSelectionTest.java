package org.aloe4j.hub;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Globs behave like Python's fnmatchcase, as huggingface_hub's allow_patterns do. */
class FileSelectionTest {

    @Test
    void fnmatchSemantics() {
        assertTrue(FileSelection.matches("model-00001-of-00004.safetensors", "*.safetensors"));
        assertTrue(FileSelection.matches("original/params.json", "*.json"), "* crosses folders in fnmatch");
        assertTrue(FileSelection.matches("original/params.json", "original/"), "a trailing / means the folder");
        assertFalse(FileSelection.matches("config.json", "original/"));
        assertTrue(FileSelection.matches("a-Q4_K_M.gguf", "*Q4_K_M*"));
        assertFalse(FileSelection.matches("a-Q4_K_M.gguf", "*q4_k_m*"), "case-sensitive");
        assertTrue(FileSelection.matches("model-00002-of-00004.safetensors", "model-0000[1-2]-*"));
        assertFalse(FileSelection.matches("model-00003-of-00004.safetensors", "model-0000[1-2]-*"));
        assertTrue(FileSelection.matches("model-00003-of-00004.safetensors", "model-0000[!1-2]-*"));
        assertTrue(FileSelection.matches("a.bin", "?.bin"));
        assertFalse(FileSelection.matches("ab.bin", "?.bin"));
        assertTrue(FileSelection.matches("x(1)+.json", "x(1)+.json"), "regex characters are literal");
        assertTrue(FileSelection.matches("[x", "[x"), "an unclosed [ is literal");
    }

    @Test
    void includeAndExclude() {
        FileSelection s = FileSelection.including(List.of("*.json", "*.safetensors")).excluding(List.of("original/*"));
        assertTrue(s.test("config.json"));
        assertTrue(s.test("model.safetensors"));
        assertFalse(s.test("original/params.json"));
        assertFalse(s.test("README.md"));
        assertTrue(FileSelection.all().test("anything/at/all"));
        FileSelection exact = FileSelection.exactly(List.of("weird[1]*.gguf"));
        assertTrue(exact.test("weird[1]*.gguf"));
        assertFalse(exact.test("weird1x.gguf"));
    }
}
