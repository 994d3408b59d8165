package org.aloe4j.eval.data;

import java.nio.file.Path;

/** Reads one benchmark's official files into {@link Question}s. */
public interface BenchmarkLoader {

    /** Loads {@code path} (a file, or a folder for benchmarks spread over several files). */
    LoadResult load(Path path, LoaderOptions options);
}
