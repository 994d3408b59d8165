package org.aloe4j.merge;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A finished merge.
 *
 * @param outputDir the Hugging Face directory written
 * @param tensors number of tensors written
 * @param dataBytes bytes of tensor data
 * @param files the files of the directory (weights, index, config, tokenizer, README)
 * @param warnings what the merge noted while planning (e.g. embeddings cut to a common size)
 */
public record MergeResult(Path outputDir, int tensors, long dataBytes, List<Path> files, List<String> warnings,
        Duration elapsed) {
    public MergeResult {
        files = List.copyOf(files);
        warnings = List.copyOf(warnings);
    }
}
