package org.aloe4j.cli;

import java.nio.file.Path;
import org.aloe4j.generation.LanguageModel;

/**
 * Opens {@code --model PATH} (a GGUF file or a Hugging Face folder) as a {@link LanguageModel} running in this JVM.
 *
 * <p><b>HOOK FOR THE LEAD:</b> the local engine is written in parallel; {@link #LOCAL} is the one place to wire it
 * (replace its body with the engine's loader). Until then {@code --model} fails with a clear message and
 * {@code --backend URL} is the way to evaluate.
 */
@FunctionalInterface
public interface ModelOpener {

    LanguageModel open(Path path) throws Exception;

    /** The local engine. TODO(lead): wire to the engine, e.g. {@code path -> LocalModel.open(path)}. */
    ModelOpener LOCAL = path -> {
        throw new UnsupportedOperationException("--model " + path + ": the local engine is not wired into aloe"
                + " eval yet; serve the model with an OpenAI-compatible server and use --backend URL");
    };
}
