package org.aloe4j.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hubspot.jinjava.tree.Node;
import java.io.IOException;
import java.lang.reflect.Array;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.aloe4j.formats.ModelFormatException;

/**
 * A model's own Jinja chat template, rendered as Hugging Face transformers' {@code apply_chat_template} renders it
 * with Python jinja2 (see {@link JinjaEnvironment} for the environment and the differences that remain).
 *
 * <p>Parsed once; {@link #render} is thread-safe. Messages are in HF chat format: maps with {@code role},
 * {@code content} and optionally {@code tool_calls} ({@code [{type, function: {name, arguments}}]}, arguments a map
 * or a JSON string), tool messages with {@code role: "tool"}. Use insertion-ordered maps (LinkedHashMap, or Jackson's
 * maps): key order is the order {@code tojson} writes and the order templates iterate.
 */
public final class ChatTemplate {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The special-token entries of tokenizer_config.json that HF passes to the template (its special_tokens_map). */
    private static final List<String> SPECIAL_TOKEN_KEYS = List.of("bos_token", "eos_token", "unk_token",
            "sep_token", "pad_token", "cls_token", "mask_token", "additional_special_tokens");
    private static final List<String> RESERVED = List.of("messages", "tools", "add_generation_prompt");

    private final String source;
    private final String name;
    private final Node root;
    private final Map<String, Object> specialTokens;

    private ChatTemplate(String source, String name, Map<String, Object> specialTokens) {
        this.source = source;
        this.name = name;
        this.specialTokens = Collections.unmodifiableMap(new LinkedHashMap<>(specialTokens));
        this.root = JinjaEnvironment.parse(source, name);
    }

    /** A template from its Jinja source. */
    public static ChatTemplate of(String jinjaSource) {
        return of(jinjaSource, "(inline)");
    }

    /** A template from its Jinja source; {@code name} is how error messages refer to it. */
    public static ChatTemplate of(String jinjaSource, String name) {
        Objects.requireNonNull(jinjaSource, "jinjaSource");
        return new ChatTemplate(jinjaSource, name, Map.of());
    }

    /**
     * The {@code chat_template} of a Hugging Face {@code tokenizer_config.json}: a string, or a list of
     * {@code {name, template}} of which the one named "default" is taken. When the config has none, a
     * {@code chat_template.jinja} beside it is used (newer transformers save it there). The config's special tokens
     * ({@code bos_token}, {@code eos_token}..., strings or AddedToken objects with {@code content}) are passed to every
     * render, as HF does; {@code extraContext} overrides them.
     *
     * @throws ModelFormatException when the file cannot be read or has no usable template
     * @throws TemplateException when the template does not parse
     */
    public static ChatTemplate fromTokenizerConfig(Path tokenizerConfigJson) {
        JsonNode config;
        try (var in = Files.newInputStream(tokenizerConfigJson)) {
            config = JSON.readTree(in);
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(tokenizerConfigJson, "file not found", e);
        } catch (IOException e) {
            throw new ModelFormatException(tokenizerConfigJson,
                    "not valid JSON: " + JinjaEnvironment.oneLine(e.getMessage()), e);
        }
        if (config == null || !config.isObject()) {
            throw new ModelFormatException(tokenizerConfigJson, "not a JSON object");
        }
        String source = templateSource(config, tokenizerConfigJson);
        Map<String, Object> tokens = new LinkedHashMap<>();
        for (String key : SPECIAL_TOKEN_KEYS) {
            JsonNode t = config.get(key);
            if (t == null || t.isNull()) {
                continue;
            }
            Object value = key.equals("additional_special_tokens") ? tokenList(t, tokenizerConfigJson)
                    : tokenText(t, key, tokenizerConfigJson);
            tokens.put(key, value);
        }
        return new ChatTemplate(source, tokenizerConfigJson.toString(), tokens);
    }

    private static String templateSource(JsonNode config, Path file) {
        JsonNode t = config.get("chat_template");
        if (t == null || t.isNull()) {
            Path beside = file.resolveSibling("chat_template.jinja");
            if (Files.isRegularFile(beside)) {
                try {
                    return Files.readString(beside);
                } catch (IOException e) {
                    throw new ModelFormatException(beside, "cannot read: " + e.getMessage(), e);
                }
            }
            throw new ModelFormatException(file, "no chat_template (and no chat_template.jinja beside it)");
        }
        if (t.isTextual()) {
            return t.asText();
        }
        if (t.isArray()) {
            List<String> names = new ArrayList<>();
            for (JsonNode entry : t) {
                String n = entry.path("name").asText(null);
                names.add(n);
                if ("default".equals(n) && entry.path("template").isTextual()) {
                    return entry.get("template").asText();
                }
            }
            throw new ModelFormatException(file, "chat_template list has no template named \"default\" (names: "
                    + names + ")");
        }
        throw new ModelFormatException(file, "chat_template must be a string or a list of {name, template}, not "
                + t.getNodeType());
    }

    private static String tokenText(JsonNode t, String key, Path file) {
        if (t.isTextual()) {
            return t.asText();
        }
        if (t.isObject() && t.path("content").isTextual()) {
            return t.get("content").asText();
        }
        throw new ModelFormatException(file, key + " must be a string or an object with \"content\", not " + t);
    }

    private static List<String> tokenList(JsonNode t, Path file) {
        if (!t.isArray()) {
            throw new ModelFormatException(file, "additional_special_tokens must be a list, not " + t.getNodeType());
        }
        List<String> list = new ArrayList<>();
        for (JsonNode e : t) {
            list.add(tokenText(e, "additional_special_tokens entry", file));
        }
        return Collections.unmodifiableList(list);
    }

    /**
     * Renders a conversation.
     *
     * @param messages HF chat messages
     * @param addGenerationPrompt end with the header that starts the assistant's reply
     * @param tools tool (function) schemas, or null for none (HF passes None)
     * @param extraContext more template variables, e.g. {@code bos_token}, {@code date_string}; may be null
     * @throws TemplateException when the template fails or raises an error itself
     */
    public String render(List<Map<String, Object>> messages, boolean addGenerationPrompt,
            List<Map<String, Object>> tools, Map<String, Object> extraContext) {
        Objects.requireNonNull(messages, "messages");
        Map<String, Object> bindings = new HashMap<>(specialTokens);
        if (extraContext != null) {
            for (Map.Entry<String, Object> e : extraContext.entrySet()) {
                if (RESERVED.contains(e.getKey())) {
                    throw new IllegalArgumentException("extraContext may not set '" + e.getKey()
                            + "': it is a render() parameter");
                }
                bindings.put(e.getKey(), frozenCopy(e.getValue()));
            }
        }
        bindings.put("messages", frozenCopy(messages));
        bindings.put("tools", frozenCopy(tools));
        bindings.put("add_generation_prompt", addGenerationPrompt);
        return JinjaEnvironment.render(root, bindings, name);
    }

    /** The Jinja source as given. */
    public String source() {
        return source;
    }

    /** How error messages name this template (the tokenizer config's path, or the name given to {@link #of}). */
    public String name() {
        return name;
    }

    /** The special tokens read from the tokenizer config (empty for {@link #of}). */
    public Map<String, Object> specialTokens() {
        return specialTokens;
    }

    /**
     * An unmodifiable deep copy: the template sees a snapshot, and a template that tries to change its input fails
     * as it does in HF's ImmutableSandboxedEnvironment instead of altering the caller's lists.
     */
    private static Object frozenCopy(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> copy = new LinkedHashMap<>(map.size() * 2);
            for (Map.Entry<?, ?> e : map.entrySet()) {
                copy.put(e.getKey(), frozenCopy(e.getValue()));
            }
            return Collections.unmodifiableMap(copy);
        }
        if (value instanceof Collection<?> c) {
            List<Object> copy = new ArrayList<>(c.size());
            for (Object o : c) {
                copy.add(frozenCopy(o));
            }
            return Collections.unmodifiableList(copy);
        }
        if (value != null && value.getClass().isArray()) {
            int n = Array.getLength(value);
            List<Object> copy = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                copy.add(frozenCopy(Array.get(value, i)));
            }
            return Collections.unmodifiableList(copy);
        }
        return value;
    }

    @Override
    public String toString() {
        return "ChatTemplate[" + name + "]";
    }
}
