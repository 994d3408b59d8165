package org.aloe4j.cli;

import java.nio.file.Path;
import org.aloe4j.generation.LanguageModel;
import org.aloe4j.generation.LocalModel;

/**
 * Opens {@code --model PATH} (a GGUF file or a Hugging Face folder) as a {@link LanguageModel} running in this JVM.
 */
@FunctionalInterface
public interface ModelOpener {

    LanguageModel open(Path path) throws Exception;

    /** The local engine. */
    ModelOpener LOCAL = path -> LocalModel.open(path);
}
