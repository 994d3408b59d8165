package org.aloe4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.aloe4j.formats.ModelFormatException;
import org.aloe4j.formats.gguf.GGMLType;
import org.aloe4j.formats.gguf.GGUFFile;
import org.aloe4j.formats.gguf.GGUFTensorInfo;
import org.aloe4j.formats.safetensors.SafeTensor;
import org.aloe4j.formats.safetensors.SafeTensorsModel;
import org.aloe4j.tensors.Tensor;
import org.aloe4j.tensors.Tensors;

/**
 * Opens a model for inference from a GGUF file or a Hugging Face directory (BF16/F16/F32 safetensors, single or
 * sharded). Both end in the same {@link ModelConfig} and {@link Weights}; the weights stay in the mapped files.
 */
public final class ModelLoader {
    private ModelLoader() {}

    /** A .gguf file, a Hugging Face model directory, or a .safetensors file inside one. */
    public static LoadedModel load(Path path) {
        if (!Files.exists(path)) {
            throw new ModelFormatException(path, "no such file or directory");
        }
        if (Files.isDirectory(path)) {
            return loadHf(path);
        }
        String name = path.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (name.endsWith(".safetensors") || name.equals("config.json")) {
            return loadHf(path.toAbsolutePath().getParent());
        }
        return loadGguf(path);
    }

    // ------------------------------------------------------------------ GGUF

    public static LoadedModel loadGguf(Path file) {
        GGUFFile gguf = GGUFFile.open(file);
        try {
            ModelConfig config = ggufConfig(gguf);
            Weights weights = ggufWeights(gguf, config);
            return new LoadedModel(file, config, weights, gguf.metadata(), null);
        } catch (RuntimeException e) {
            gguf.close();
            throw e instanceof ModelFormatException ? e : new ModelFormatException(file, e.getMessage(), e);
        }
    }

    static ModelConfig ggufConfig(GGUFFile g) {
        Path file = g.path();
        String archName = g.getString("general.architecture");
        Architecture arch = Architecture.fromName(archName);
        if (arch == null) {
            throw new ModelFormatException(file, "architecture '" + archName + "' is not supported (supported: qwen2, llama)");
        }
        String p = archName + ".";
        int dim = requireInt(g, p + "embedding_length");
        int heads = requireInt(g, p + "attention.head_count");
        int kvHeads = g.getInt(p + "attention.head_count_kv", heads);
        int headDim = g.getInt(p + "attention.key_length", dim / heads);
        GGUFTensorInfo emb = requireTensor(g, "token_embd.weight");
        int vocab = (int) emb.rows();
        float[] ropeFactors = null;
        GGUFTensorInfo rf = g.tensor("rope_freqs.weight");
        if (rf != null) {
            ropeFactors = vector(g, rf);
        }
        boolean tied = g.tensor("output.weight") == null;
        boolean bias = g.tensor("blk.0.attn_q.bias") != null;
        int eos = g.getInt("tokenizer.ggml.eos_token_id", -1);
        ModelConfig c = new ModelConfig(arch, g.getString("general.name", file.getFileName().toString()),
                dim, requireInt(g, p + "feed_forward_length"), requireInt(g, p + "block_count"), heads, kvHeads,
                headDim, vocab, requireInt(g, p + "context_length"),
                g.getFloat(p + "attention.layer_norm_rms_epsilon", 1e-5f), g.getFloat(p + "rope.freq_base", 10000f),
                arch == Architecture.QWEN2 ? RopeLayout.NEOX : RopeLayout.INTERLEAVED, ropeFactors, null, bias, tied,
                g.getInt("tokenizer.ggml.bos_token_id", -1), eos >= 0 ? new int[] {eos} : new int[0]);
        try {
            return c.validate();
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file, e.getMessage());
        }
    }

    private static Weights ggufWeights(GGUFFile g, ModelConfig c) {
        Tensor emb = matrix(g, "token_embd.weight", c.vocabSize(), c.dim());
        Tensor out = c.tiedEmbeddings() ? emb : matrix(g, "output.weight", c.vocabSize(), c.dim());
        Weights.Layer[] layers = new Weights.Layer[c.layers()];
        for (int i = 0; i < layers.length; i++) {
            String b = "blk." + i + ".";
            layers[i] = new Weights.Layer(
                    vector(g, b + "attn_norm.weight", c.dim()),
                    matrix(g, b + "attn_q.weight", c.qDim(), c.dim()),
                    matrix(g, b + "attn_k.weight", c.kvDim(), c.dim()),
                    matrix(g, b + "attn_v.weight", c.kvDim(), c.dim()),
                    c.qkvBias() ? vector(g, b + "attn_q.bias", c.qDim()) : null,
                    c.qkvBias() ? vector(g, b + "attn_k.bias", c.kvDim()) : null,
                    c.qkvBias() ? vector(g, b + "attn_v.bias", c.kvDim()) : null,
                    matrix(g, b + "attn_output.weight", c.dim(), c.qDim()),
                    vector(g, b + "ffn_norm.weight", c.dim()),
                    matrix(g, b + "ffn_gate.weight", c.ffnDim(), c.dim()),
                    matrix(g, b + "ffn_up.weight", c.ffnDim(), c.dim()),
                    matrix(g, b + "ffn_down.weight", c.dim(), c.ffnDim()));
        }
        return new Weights(emb, vector(g, "output_norm.weight", c.dim()), out, layers, g, true);
    }

    private static int requireInt(GGUFFile g, String key) {
        int v = g.getInt(key, -1);
        if (v <= 0) {
            throw new ModelFormatException(g.path(), "metadata key " + key + " is missing or not positive");
        }
        return v;
    }

    private static GGUFTensorInfo requireTensor(GGUFFile g, String name) {
        GGUFTensorInfo t = g.tensor(name);
        if (t == null) {
            throw new ModelFormatException(g.path(), "tensor " + name + " is missing");
        }
        return t;
    }

    private static Tensor matrix(GGUFFile g, String name, long rows, int cols) {
        GGUFTensorInfo t = requireTensor(g, name);
        if (t.rowLength() != cols || t.rows() != rows) {
            throw new ModelFormatException(g.path(), "tensor " + name + " has shape " + java.util.Arrays.toString(t.dims())
                    + ", expected [" + cols + ", " + rows + "]");
        }
        return Tensors.wrap(name, t.type(), g.tensorData(t), rows, cols);
    }

    private static float[] vector(GGUFFile g, String name, int length) {
        GGUFTensorInfo t = requireTensor(g, name);
        if (t.elements() != length) {
            throw new ModelFormatException(g.path(), "tensor " + name + " has " + t.elements() + " values, expected " + length);
        }
        return vector(g, t);
    }

    private static float[] vector(GGUFFile g, GGUFTensorInfo t) {
        return readVector(t.name(), t.type(), g.tensorData(t), (int) t.elements());
    }

    private static float[] readVector(String name, GGMLType type, MemorySegment data, int n) {
        float[] v = new float[n];
        Tensors.wrap(name, type, data, 1, n).dequantizeRow(0, v, 0);
        return v;
    }

    // ------------------------------------------------------------------ Hugging Face

    private static final ObjectMapper JSON = new ObjectMapper();

    public static LoadedModel loadHf(Path dir) {
        Path configFile = dir.resolve("config.json");
        if (!Files.isRegularFile(configFile)) {
            throw new ModelFormatException(dir, "not a model: no config.json (and not a .gguf file)");
        }
        SafeTensorsModel st = SafeTensorsModel.open(dir);
        try {
            ModelConfig config = hfConfig(dir, st);
            Weights weights = hfWeights(st, config, dir);
            return new LoadedModel(dir, config, weights, null, dir);
        } catch (RuntimeException e) {
            st.close();
            throw e instanceof ModelFormatException ? e : new ModelFormatException(dir, e.getMessage(), e);
        }
    }

    /** Reads config.json (and generation_config.json for the eos ids); st may be null before the weights are open. */
    public static ModelConfig hfConfig(Path dir, SafeTensorsModel st) {
        JsonNode cfg = readJson(dir.resolve("config.json"));
        String type = cfg.path("model_type").asText(null);
        Architecture arch = Architecture.fromName(type);
        if (arch == null) {
            throw new ModelFormatException(dir.resolve("config.json"), "model_type '" + type + "' is not supported (supported: qwen2, llama)");
        }
        int dim = hfInt(dir, cfg, "hidden_size");
        int heads = hfInt(dir, cfg, "num_attention_heads");
        int kvHeads = cfg.path("num_key_value_heads").asInt(heads);
        int headDim = cfg.hasNonNull("head_dim") ? cfg.get("head_dim").asInt() : dim / heads;
        RopeScaling scaling = null;
        JsonNode rs = cfg.path("rope_scaling");
        if (rs.isObject()) {
            String rt = rs.path("rope_type").asText(rs.path("type").asText(""));
            if (!rt.equals("llama3")) {
                throw new ModelFormatException(dir.resolve("config.json"), "rope_scaling type '" + rt + "' is not supported (supported: llama3)");
            }
            scaling = new RopeScaling(rs.path("factor").asDouble(), rs.path("low_freq_factor").asDouble(),
                    rs.path("high_freq_factor").asDouble(), rs.path("original_max_position_embeddings").asInt());
        }
        boolean bias = arch == Architecture.QWEN2 || cfg.path("attention_bias").asBoolean(false);
        if (st != null) {
            bias = st.tensor("model.layers.0.self_attn.q_proj.bias") != null;
        }
        boolean tied = cfg.path("tie_word_embeddings").asBoolean(false);
        if (st != null && st.tensor("lm_head.weight") == null) {
            tied = true;
        }
        List<Integer> eos = new ArrayList<>();
        collectIds(cfg.path("eos_token_id"), eos);
        Path gen = dir.resolve("generation_config.json");
        if (Files.isRegularFile(gen)) {
            collectIds(readJson(gen).path("eos_token_id"), eos);
        }
        ModelConfig c = new ModelConfig(arch, dir.getFileName() == null ? dir.toString() : dir.getFileName().toString(),
                dim, hfInt(dir, cfg, "intermediate_size"), hfInt(dir, cfg, "num_hidden_layers"), heads, kvHeads, headDim,
                hfInt(dir, cfg, "vocab_size"), hfInt(dir, cfg, "max_position_embeddings"),
                (float) cfg.path("rms_norm_eps").asDouble(1e-6), cfg.path("rope_theta").asDouble(10000),
                RopeLayout.NEOX, null, scaling, bias, tied, cfg.path("bos_token_id").asInt(-1),
                eos.stream().distinct().mapToInt(Integer::intValue).toArray());
        try {
            return c.validate();
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(dir.resolve("config.json"), e.getMessage());
        }
    }

    private static void collectIds(JsonNode n, List<Integer> out) {
        if (n.isInt()) {
            out.add(n.asInt());
        } else if (n.isArray()) {
            n.forEach(e -> out.add(e.asInt()));
        }
    }

    private static int hfInt(Path dir, JsonNode cfg, String key) {
        int v = cfg.path(key).asInt(-1);
        if (v <= 0) {
            throw new ModelFormatException(dir.resolve("config.json"), key + " is missing or not positive");
        }
        return v;
    }

    private static JsonNode readJson(Path p) {
        try {
            return JSON.readTree(p.toFile());
        } catch (IOException e) {
            throw new ModelFormatException(p, "malformed JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    private static Weights hfWeights(SafeTensorsModel st, ModelConfig c, Path dir) {
        Tensor emb = hfMatrix(st, dir, "model.embed_tokens.weight", c.vocabSize(), c.dim());
        Tensor out = st.tensor("lm_head.weight") == null ? emb : hfMatrix(st, dir, "lm_head.weight", c.vocabSize(), c.dim());
        Weights.Layer[] layers = new Weights.Layer[c.layers()];
        for (int i = 0; i < layers.length; i++) {
            String b = "model.layers." + i + ".";
            String a = b + "self_attn.";
            layers[i] = new Weights.Layer(
                    hfVector(st, dir, b + "input_layernorm.weight", c.dim()),
                    hfMatrix(st, dir, a + "q_proj.weight", c.qDim(), c.dim()),
                    hfMatrix(st, dir, a + "k_proj.weight", c.kvDim(), c.dim()),
                    hfMatrix(st, dir, a + "v_proj.weight", c.kvDim(), c.dim()),
                    c.qkvBias() ? hfVector(st, dir, a + "q_proj.bias", c.qDim()) : null,
                    c.qkvBias() ? hfVector(st, dir, a + "k_proj.bias", c.kvDim()) : null,
                    c.qkvBias() ? hfVector(st, dir, a + "v_proj.bias", c.kvDim()) : null,
                    hfMatrix(st, dir, a + "o_proj.weight", c.dim(), c.qDim()),
                    hfVector(st, dir, b + "post_attention_layernorm.weight", c.dim()),
                    hfMatrix(st, dir, b + "mlp.gate_proj.weight", c.ffnDim(), c.dim()),
                    hfMatrix(st, dir, b + "mlp.up_proj.weight", c.ffnDim(), c.dim()),
                    hfMatrix(st, dir, b + "mlp.down_proj.weight", c.dim(), c.ffnDim()));
        }
        return new Weights(emb, hfVector(st, dir, "model.norm.weight", c.dim()), out, layers, st);
    }

    private static SafeTensor hfTensor(SafeTensorsModel st, Path dir, String name) {
        SafeTensor t = st.tensor(name);
        if (t == null) {
            throw new ModelFormatException(dir, "tensor " + name + " is missing");
        }
        return t;
    }

    private static GGMLType ggmlType(Path dir, SafeTensor t) {
        return switch (t.dtype()) {
            case F32 -> GGMLType.F32;
            case F16 -> GGMLType.F16;
            case BF16 -> GGMLType.BF16;
            default -> throw new ModelFormatException(dir, "tensor " + t.name() + " has dtype " + t.dtype()
                    + ", which aloe4j cannot compute (supported: F32, F16, BF16)");
        };
    }

    private static Tensor hfMatrix(SafeTensorsModel st, Path dir, String name, long rows, int cols) {
        SafeTensor t = hfTensor(st, dir, name);
        long[] s = t.shape();
        if (s.length != 2 || s[0] != rows || s[1] != cols) {
            throw new ModelFormatException(dir, "tensor " + name + " has shape " + java.util.Arrays.toString(s)
                    + ", expected [" + rows + ", " + cols + "]");
        }
        return Tensors.wrap(name, ggmlType(dir, t), t.data(), rows, cols);
    }

    private static float[] hfVector(SafeTensorsModel st, Path dir, String name, int length) {
        SafeTensor t = hfTensor(st, dir, name);
        long[] s = t.shape();
        if (s.length != 1 || s[0] != length) {
            throw new ModelFormatException(dir, "tensor " + name + " has shape " + java.util.Arrays.toString(s)
                    + ", expected [" + length + "]");
        }
        return readVector(name, ggmlType(dir, t), t.data(), length);
    }
}
