package org.aloe4j.convert;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.aloe4j.formats.ModelFormatException;
import org.aloe4j.formats.gguf.GGMLType;
import org.aloe4j.formats.gguf.GGUFWriter;
import org.aloe4j.formats.safetensors.SafeTensor;
import org.aloe4j.formats.safetensors.SafeTensorsModel;
import org.aloe4j.model.ModelConfig;
import org.aloe4j.model.ModelLoader;
import org.aloe4j.quantize.FileType;
import org.aloe4j.quantize.TypeMix;

/**
 * Converts a Hugging Face Qwen2 / Llama directory (safetensors in F32, F16 or BF16, single or sharded) into a GGUF
 * file that llama.cpp loads, in one of the {@link FileType}s: llama.cpp's tensor names, the q/k row permutation of
 * its converter for Llama, {@code rope_freqs} for llama3 rope scaling, the tokenizer and chat template in the
 * metadata, and llama-quantize's per-tensor type mix.
 *
 * <p>Streams tensor by tensor, chunk by chunk: the safetensors stay memory-mapped and only a few megabytes of rows
 * per thread are in memory at once, whatever the model's size.
 */
public final class HfToGguf {
    private HfToGguf() {}

    /** Told about each tensor as it starts; called on the writing thread. */
    @FunctionalInterface
    public interface Listener {
        void tensorStarted(int index, int count, String name, GGMLType type, long bytesDone, long bytesTotal);
    }

    /**
     * What was written.
     *
     * @param tensorTypes how many tensors got each type
     */
    public record Result(Path file, long dataBytes, Map<GGMLType, Integer> tensorTypes, ModelConfig config) {}

    /**
     * Converts {@code hfDir} into {@code out} (written to {@code out.partial} first, moved into place when complete).
     *
     * @param name     {@code general.name}
     * @param listener progress, or null
     * @throws ModelFormatException naming the file or tensor when the input is missing, unsupported or inconsistent
     */
    public static Result convert(Path hfDir, FileType type, Path out, String name, Listener listener)
            throws IOException {
        Objects.requireNonNull(type, "type");
        try (SafeTensorsModel st = SafeTensorsModel.open(hfDir)) {
            ModelConfig c = ModelLoader.hfConfig(hfDir, st);
            List<LlamaCppLayout.TensorSpec> specs = LlamaCppLayout.tensors(c);
            for (LlamaCppLayout.TensorSpec s : specs) {
                if (s.hfName() != null) {
                    check(hfDir, st, s);
                }
            }
            GGUFWriter w = new GGUFWriter();
            LlamaCppLayout.putModelMetadata(w, c, type, name);
            HfTokenizerMetadata.put(hfDir, c.vocabSize(), w);
            TypeMix mix = new TypeMix(type, c.layers(), c.tiedEmbeddings(),
                    TypeMix.isSeventyBClass(LlamaCppLayout.archName(c), c.layers(), c.heads(), c.kvHeads()));
            Map<GGMLType, Integer> counts = new EnumMap<>(GGMLType.class);
            long[] done = {0};
            long total = 0;
            GGMLType[] types = new GGMLType[specs.size()];
            for (int i = 0; i < specs.size(); i++) {
                types[i] = mix.typeOf(specs.get(i).name(), specs.get(i).dims());
                total += types[i].bytesFor(specs.get(i).elements());
            }
            final long totalBytes = total;
            for (int i = 0; i < specs.size(); i++) {
                LlamaCppLayout.TensorSpec s = specs.get(i);
                GGMLType t = types[i];
                counts.merge(t, 1, Integer::sum);
                RowSource rows = rows(c, st, s);
                int index = i;
                QuantizingSource q = new QuantizingSource(rows, s.rows(), s.cols(), t, null);
                w.addTensor(s.name(), s.dims(), t, ch -> {
                    if (listener != null) {
                        listener.tensorStarted(index, specs.size(), s.name(), t, done[0], totalBytes);
                    }
                    q.writeTo(ch);
                    done[0] += q.byteSize();
                });
            }
            w.write(out);
            return new Result(out, totalBytes, counts, c);
        }
    }

    private static void check(Path dir, SafeTensorsModel st, LlamaCppLayout.TensorSpec s) {
        SafeTensor t = st.tensor(s.hfName());
        if (t == null) {
            throw new ModelFormatException(dir, "tensor " + s.hfName() + " is missing");
        }
        switch (t.dtype()) {
            case F32, F16, BF16 -> { }
            default -> throw new ModelFormatException(dir, "tensor " + s.hfName() + " has dtype " + t.dtype()
                    + " (supported: F32, F16, BF16)");
        }
        long[] expected = s.vector() ? new long[] {s.cols()} : new long[] {s.rows(), s.cols()};
        if (!Arrays.equals(t.shape(), expected)) {
            throw new ModelFormatException(dir, "tensor " + s.hfName() + " has shape " + Arrays.toString(t.shape())
                    + ", expected " + Arrays.toString(expected));
        }
    }

    private static RowSource rows(ModelConfig c, SafeTensorsModel st, LlamaCppLayout.TensorSpec s) {
        if (s.hfName() == null) { // rope_freqs
            float[] factors = LlamaCppLayout.llama3RopeFactors(c);
            return (row, dst, off) -> System.arraycopy(factors, 0, dst, off, factors.length);
        }
        SafeTensor t = st.tensor(s.hfName());
        if (s.permute() == LlamaCppLayout.Permute.NONE) {
            return new SafeTensorRows(t, s.cols(), null);
        }
        int heads = LlamaCppLayout.heads(c, s.permute());
        if (s.vector()) { // a q/k bias: permute its elements like the rows of the matrix
            LlamaPermutation.check(s.hfName(), s.cols(), heads);
            SafeTensorRows plain = new SafeTensorRows(t, s.cols(), null);
            return (row, dst, off) -> {
                float[] v = new float[s.cols()];
                plain.read(0, v, 0);
                for (int i = 0; i < v.length; i++) {
                    dst[off + i] = v[(int) LlamaPermutation.sourceRow(i, v.length, heads)];
                }
            };
        }
        LlamaPermutation.check(s.hfName(), s.rows(), heads);
        long rows = s.rows();
        return new SafeTensorRows(t, s.cols(), r -> LlamaPermutation.sourceRow(r, rows, heads));
    }
}
