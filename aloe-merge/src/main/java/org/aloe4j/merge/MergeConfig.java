package org.aloe4j.merge;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A mergekit-style merge configuration (the YAML {@code mergekit-yaml} reads), restricted to what aloe merge does:
 * {@code merge_method}, {@code base_model}, {@code models} (each {@code model} with optional {@code parameters}),
 * global {@code parameters}, {@code dtype}, {@code out_dtype} and {@code tokenizer_source}. The other mergekit forms
 * ({@code slices}, {@code modules}, {@code tokenizer}, {@code chat_template}) are refused with a clear message, as
 * are unknown keys and parameters (a misspelt {@code densty} would otherwise be silently ignored).
 *
 * @param yaml the configuration text as given (recorded in the output's README)
 */
public record MergeConfig(MergeMethod method, String baseModel, List<InputModel> models,
        Map<String, ParameterSetting> parameters, String dtype, String outDtype, String tokenizerSource, String yaml) {

    /** The parameter names aloe merge knows (per-model and global levels alike, as in mergekit). */
    public static final Set<String> PARAMETER_NAMES = Set.of("weight", "density", "normalize", "int8_mask", "rescale",
            "lambda");

    private static final Set<String> TOP_LEVEL_KEYS = Set.of("merge_method", "base_model", "models", "parameters",
            "dtype", "out_dtype", "tokenizer_source");
    private static final Set<String> UNSUPPORTED_KEYS = Set.of("slices", "modules", "tokenizer", "chat_template");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** One entry of {@code models}. */
    public record InputModel(String model, Map<String, ParameterSetting> parameters) {
        public InputModel {
            Objects.requireNonNull(model, "model");
            parameters = Map.copyOf(parameters);
        }
    }

    public MergeConfig {
        Objects.requireNonNull(method, "method");
        models = List.copyOf(models);
        parameters = Map.copyOf(parameters);
    }

    /** Reads and checks the YAML file {@code file}. */
    public static MergeConfig read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new MergeException(file + ": cannot read the merge configuration: " + e.getMessage(), e);
        }
        try {
            return parse(text);
        } catch (MergeException e) {
            throw new MergeException(file + ": " + e.getMessage(), e);
        }
    }

    /** Parses and checks a configuration text. */
    public static MergeConfig parse(String yaml) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new MergeException("malformed YAML: " + String.valueOf(e.getOriginalMessage()).replaceAll("\\s+", " "),
                    e);
        }
        if (root == null || !root.isObject()) {
            throw new MergeException("the merge configuration must be a YAML mapping");
        }
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            String key = e.getKey();
            if (UNSUPPORTED_KEYS.contains(key)) {
                throw new MergeException("'" + key + "' is not supported by aloe merge (use 'models' with per-model "
                        + "parameters)");
            }
            if (!TOP_LEVEL_KEYS.contains(key)) {
                throw new MergeException("unknown key '" + key + "' (known: merge_method, base_model, models, "
                        + "parameters, dtype, out_dtype, tokenizer_source)");
            }
        }
        MergeMethod method = MergeMethod.byConfigName(requiredText(root, "merge_method"));
        String base = optionalText(root, "base_model");
        JsonNode modelsNode = root.get("models");
        if (modelsNode == null || !modelsNode.isArray() || modelsNode.isEmpty()) {
            throw new MergeException("'models' must be a non-empty list");
        }
        List<InputModel> models = new ArrayList<>();
        for (JsonNode m : modelsNode) {
            String name;
            JsonNode params = null;
            if (m.isTextual()) {
                name = m.textValue();
            } else if (m.isObject()) {
                for (Map.Entry<String, JsonNode> f : m.properties()) {
                    if (!f.getKey().equals("model") && !f.getKey().equals("parameters")) {
                        throw new MergeException("models: unknown key '" + f.getKey() + "' (expected model, parameters)");
                    }
                }
                JsonNode modelNode = m.get("model");
                if (modelNode == null || !modelNode.isTextual() || modelNode.textValue().isBlank()) {
                    throw new MergeException("models: every entry needs a 'model' path");
                }
                name = modelNode.textValue();
                params = m.get("parameters");
            } else {
                throw new MergeException("models: entries must be mappings with a 'model' key");
            }
            models.add(new InputModel(name, parameters(params, "models[" + name + "].parameters")));
        }
        Map<String, ParameterSetting> global = parameters(root.get("parameters"), "parameters");
        String dtype = optionalText(root, "dtype");
        String outDtype = optionalText(root, "out_dtype");
        for (String d : new String[] {dtype, outDtype}) {
            if (d != null) {
                OutputDType.byName(d);
            }
        }
        if (method.usesBase() && base == null) {
            throw new MergeException("merge_method " + method.configName() + " needs a base_model");
        }
        return new MergeConfig(method, base, models, global, dtype, outDtype, optionalText(root, "tokenizer_source"),
                yaml);
    }

    private static Map<String, ParameterSetting> parameters(JsonNode node, String where) {
        Map<String, ParameterSetting> out = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            throw new MergeException(where + " must be a mapping");
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!PARAMETER_NAMES.contains(e.getKey())) {
                throw new MergeException(where + ": unknown parameter '" + e.getKey() + "' (known: "
                        + String.join(", ", PARAMETER_NAMES.stream().sorted().toList()) + ")");
            }
            if (e.getValue().isNull()) {
                continue;
            }
            out.put(e.getKey(), ParameterSetting.parse(e.getValue(), where + "." + e.getKey()));
        }
        return out;
    }

    private static String requiredText(JsonNode root, String key) {
        String v = optionalText(root, key);
        if (v == null) {
            throw new MergeException("'" + key + "' is required");
        }
        return v;
    }

    private static String optionalText(JsonNode root, String key) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw new MergeException("'" + key + "' must be a string");
        }
        return n.textValue();
    }

    /**
     * The value of parameter {@code name} for {@code model}'s tensor {@code tensorName} at layer position {@code t},
     * looked up as mergekit does: the model's own setting, then the global one; null when neither applies.
     *
     * @param model null for the global-only parameters (normalize, rescale, ...)
     */
    public Object parameter(String name, InputModel model, String tensorName, double t) {
        if (model != null) {
            ParameterSetting s = model.parameters().get(name);
            if (s != null) {
                Object v = s.evaluate(tensorName, t);
                if (v != null) {
                    return v;
                }
            }
        }
        ParameterSetting s = parameters.get(name);
        return s == null ? null : s.evaluate(tensorName, t);
    }
}
