package org.aloe4j.eval.run;

import java.nio.file.Path;
import java.util.Objects;
import org.aloe4j.eval.data.Benchmark;
import org.aloe4j.eval.data.LoaderOptions;
import org.aloe4j.eval.method.MethodOptions;

/**
 * One evaluation run: which benchmark file, which method with which options, how many items ({@code limit}
 * null = all, in file order), how many at once, where the outputs go and whether to continue a run in
 * {@code outDir}. {@code progress}: draw a progress bar on stderr.
 */
public record RunConfig(Benchmark benchmark, Path data, LoaderOptions loaderOptions, String method,
                        MethodOptions methodOptions, Integer limit, int concurrency, Path outDir, boolean resume,
                        boolean progress) {

    public RunConfig {
        Objects.requireNonNull(benchmark, "benchmark");
        Objects.requireNonNull(data, "data");
        loaderOptions = loaderOptions == null ? LoaderOptions.defaults() : loaderOptions;
        Objects.requireNonNull(method, "method");
        methodOptions = methodOptions == null ? MethodOptions.defaults() : methodOptions;
        if (limit != null && limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0: " + limit);
        }
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be >= 1: " + concurrency);
        }
        Objects.requireNonNull(outDir, "outDir");
    }
}
