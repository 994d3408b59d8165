package org.aloe4j.model;

import java.nio.file.Path;
import java.util.Map;

/**
 * A model file opened for inference: its configuration and weights, plus what the layers above need to build a
 * tokenizer and chat template from the same file (GGUF metadata, or the Hugging Face directory).
 *
 * @param ggufMetadata the GGUF metadata map, or null for a Hugging Face directory
 * @param hfDirectory  the Hugging Face model directory, or null for a GGUF file
 */
public record LoadedModel(Path path, ModelConfig config, Weights weights, Map<String, Object> ggufMetadata,
                          Path hfDirectory) implements AutoCloseable {

    @Override
    public void close() {
        try {
            weights.close();
        } catch (Exception e) {
            throw new IllegalStateException("could not close " + path + ": " + e.getMessage(), e);
        }
    }
}
