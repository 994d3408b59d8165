package org.aloe4j.convert;

/**
 * The q/k row order of llama.cpp's converter ({@code LlamaModel.permute}): Hugging Face rotates pairs (j, j + d/2) of
 * each head, GGUF llama rotates adjacent pairs (2j, 2j + 1), so GGUF row {@code h*d + 2j + k} is Hugging Face row
 * {@code h*d + k*d/2 + j}. Qwen2 is not permuted (llama.cpp runs it with NEOX RoPE, the Hugging Face pairing).
 */
final class LlamaPermutation {
    private LlamaPermutation() {}

    /** The Hugging Face row that becomes GGUF row {@code row} of a q or k projection with {@code heads} heads. */
    static long sourceRow(long row, long rows, int heads) {
        long d = rows / heads;
        long h = row / d;
        long within = row % d;
        long j = within / 2;
        long k = within % 2;
        return h * d + k * (d / 2) + j;
    }

    /** Checks that the rows split into heads of an even size. */
    static void check(String name, long rows, int heads) {
        if (heads <= 0 || rows % heads != 0 || (rows / heads) % 2 != 0) {
            throw new IllegalArgumentException(name + ": " + rows + " rows do not split into " + heads
                    + " heads of an even size");
        }
    }
}
