package org.aloe4j.convert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.aloe4j.formats.TensorSource;
import org.aloe4j.formats.safetensors.SafeTensor;
import org.aloe4j.formats.safetensors.SafeTensorsModel;
import org.aloe4j.formats.safetensors.SafeTensorsWriter;

/** Variants of the fixture HF directories, made in a temporary folder. */
final class TestHfDirs {
    private TestHfDirs() {}

    /** A copy without lm_head.weight and with tie_word_embeddings = true. */
    static Path tiedCopy(Path src, Path dst) throws IOException {
        Files.createDirectories(dst);
        for (String f : new String[] {"tokenizer.json", "tokenizer_config.json", "generation_config.json"}) {
            Files.copy(src.resolve(f), dst.resolve(f));
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = (ObjectNode) json.readTree(src.resolve("config.json").toFile());
        config.put("tie_word_embeddings", true);
        json.writeValue(dst.resolve("config.json").toFile(), config);
        try (SafeTensorsModel st = SafeTensorsModel.open(src)) {
            SafeTensorsWriter w = new SafeTensorsWriter();
            for (SafeTensor t : st.tensors()) {
                if (!t.name().equals("lm_head.weight")) {
                    byte[] bytes = t.data().toArray(ValueLayout.JAVA_BYTE);
                    w.add(t.name(), t.dtype(), t.shape(), TensorSource.of(bytes));
                }
            }
            w.write(dst.resolve("model.safetensors"));
        }
        return dst;
    }
}
