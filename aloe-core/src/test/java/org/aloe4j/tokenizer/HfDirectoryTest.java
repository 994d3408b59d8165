package org.aloe4j.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.aloe4j.Fixtures;
import org.aloe4j.formats.ModelFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tokenizer_config.json variants, on copies of the small-1000 tokenizer.json made in a temporary directory. */
class HfDirectoryTest {
    @TempDir
    Path dir;

    private Tokenizer withConfig(String config) throws IOException {
        Files.copy(Fixtures.file("tokenizers/small-1000/tokenizer.json"), dir.resolve("tokenizer.json"));
        if (config != null) {
            Files.writeString(dir.resolve("tokenizer_config.json"), config);
        }
        return Tokenizers.fromHfDirectory(dir);
    }

    @Test
    void specialTokensAsAddedTokenObjects() throws IOException {
        Tokenizer tok = withConfig("""
                {"bos_token": {"content": "<|endoftext|>", "lstrip": false, "__type": "AddedToken"},
                 "eos_token": {"content": "<|im_end|>", "lstrip": false, "__type": "AddedToken"},
                 "add_bos_token": true}""");
        assertEquals(997, tok.bosId());
        assertEquals(999, tok.eosId());
        assertTrue(tok.addBos());
    }

    @Test
    void withoutConfigNothingIsKnown() throws IOException {
        Tokenizer tok = withConfig(null);
        assertEquals(-1, tok.bosId());
        assertEquals(-1, tok.eosId());
        assertFalse(tok.addBos());
    }

    @Test
    void unknownSpecialTokenIsAnError() throws IOException {
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> withConfig("{\"eos_token\": \"</s>\"}"));
        assertTrue(e.getMessage().startsWith(dir.resolve("tokenizer_config.json") + ": "), e.getMessage());
        assertTrue(e.getMessage().contains("eos_token '</s>'"), e.getMessage());
        ModelFormatException addWithoutBos = assertThrows(ModelFormatException.class,
                () -> Tokenizers.fromHfDirectory(withConfigIn(dir.resolve("b"), "{\"add_bos_token\": true}")));
        assertTrue(addWithoutBos.getMessage().contains("no BOS token"), addWithoutBos.getMessage());
    }

    private static Path withConfigIn(Path d, String config) throws IOException {
        Files.createDirectories(d);
        Files.copy(Fixtures.file("tokenizers/small-1000/tokenizer.json"), d.resolve("tokenizer.json"));
        Files.writeString(d.resolve("tokenizer_config.json"), config);
        return d;
    }
}
