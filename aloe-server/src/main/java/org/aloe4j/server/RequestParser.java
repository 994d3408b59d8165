package org.aloe4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.aloe4j.generation.AloeDefaults;
import org.aloe4j.generation.ChatMessage;
import org.aloe4j.generation.SamplingSettings;

/**
 * Turns OpenAI request bodies into {@link ParsedRequest}s: checks every parameter's type and range the way OpenAI's
 * API does (an {@link ApiException} naming the parameter), applies the model card's sampling defaults and Aloe's
 * system prompt, and refuses clearly what the server does not do (tools, images, JSON schemas, echo, best_of).
 */
final class RequestParser {
    /** The most choices one request may ask for. */
    static final int MAX_N = 16;
    /** OpenAI's limit on stop sequences. */
    static final int MAX_STOP = 4;

    private final Backend backend;
    private final int maxTokensLimit;

    RequestParser(Backend backend, int maxTokensLimit) {
        this.backend = backend;
        this.maxTokensLimit = maxTokensLimit;
    }

    ParsedRequest chat(JsonNode body) {
        requireObject(body);
        String model = model(body);
        refuseUnsupportedChatFields(body);
        List<ChatMessage> messages = messages(body);
        boolean logprobs = bool(body, "logprobs", false);
        Integer top = integer(body, "top_logprobs", 0, 20);
        if (top != null && !logprobs) {
            throw ApiException.invalid("top_logprobs", "Invalid value: 'top_logprobs' requires 'logprobs' to be true.");
        }
        int topLogprobs = logprobs ? (top == null ? 0 : top) : -1;
        return build(body, model, new Prompt.Chat(withDefaultSystemPrompt(messages)), true, topLogprobs);
    }

    ParsedRequest completion(JsonNode body) {
        requireObject(body);
        String model = model(body);
        if (bool(body, "echo", false)) {
            throw ApiException.unsupported("echo", "'echo' is not supported by this server.");
        }
        if (present(body, "suffix")) {
            throw ApiException.unsupported("suffix", "'suffix' is not supported by this server.");
        }
        Integer bestOf = integer(body, "best_of", 1, MAX_N);
        if (bestOf != null && bestOf > 1) {
            throw ApiException.unsupported("best_of", "'best_of' > 1 is not supported by this server; use 'n'.");
        }
        Integer logprobs = integer(body, "logprobs", 0, 5);
        return build(body, model, completionPrompt(body), false, logprobs == null ? -1 : logprobs);
    }

    private ParsedRequest build(JsonNode body, String model, Prompt prompt, boolean chat, int topLogprobs) {
        SamplingSettings s = sampling(body);
        boolean maxTokensGiven = present(body, "max_completion_tokens") || present(body, "max_tokens");
        List<String> stop = stop(body);
        Integer n = integer(body, "n", 1, MAX_N);
        double frequency = decimal(body, "frequency_penalty", -2, 2, 0);
        double presence = decimal(body, "presence_penalty", -2, 2, 0);
        Map<Integer, Float> bias = logitBias(body);
        GenerationJob job = new GenerationJob(prompt, s, maxTokensGiven, stop, n == null ? 1 : n, topLogprobs,
                frequency, presence, bias);
        if (!backend.supportsLogitControls()) {
            if (job.wantsLogprobs()) {
                throw ApiException.unsupported("logprobs", "Log-probabilities are not available through this "
                        + "server's remote backend.");
            }
            if (job.adjustsLogits()) {
                throw ApiException.unsupported(frequency != 0 ? "frequency_penalty" : presence != 0
                        ? "presence_penalty" : "logit_bias", "frequency_penalty, presence_penalty and logit_bias are "
                        + "not available through this server's remote backend; use repetition_penalty.");
            }
        }
        boolean stream = bool(body, "stream", false);
        boolean includeUsage = false;
        JsonNode options = body.get("stream_options");
        if (options != null && !options.isNull()) {
            if (!options.isObject()) {
                throw typeError("stream_options", "an object", options);
            }
            if (!stream) {
                throw ApiException.invalid("stream_options",
                        "Invalid value: 'stream_options' is only allowed when 'stream' is true.");
            }
            includeUsage = bool(options, "include_usage", false);
        }
        return new ParsedRequest(chat, model, job, stream, includeUsage, List.of());
    }

    // ---------------------------------------------------------------------------------------------- parameters

    private String model(JsonNode body) {
        JsonNode m = body.get("model");
        if (m == null || m.isNull()) {
            return backend.modelId(); // lenient like vLLM: one model is served
        }
        if (!m.isTextual()) {
            throw typeError("model", "a string", m);
        }
        if (!m.asText().equals(backend.modelId())) {
            throw ApiException.modelNotFound(m.asText());
        }
        return m.asText();
    }

    private void refuseUnsupportedChatFields(JsonNode body) {
        for (String field : List.of("tools", "functions")) {
            JsonNode t = body.get(field);
            if (t != null && !t.isNull() && !(t.isArray() && t.isEmpty())) {
                throw ApiException.unsupported(field, "Tool and function calling is not supported by this server.");
            }
        }
        JsonNode format = body.get("response_format");
        if (format != null && !format.isNull() && !format.path("type").asText("text").equals("text")) {
            throw ApiException.unsupported("response_format", "Only response_format {\"type\": \"text\"} is "
                    + "supported by this server.");
        }
        JsonNode audio = body.get("audio");
        if (audio != null && !audio.isNull()) {
            throw ApiException.unsupported("audio", "Audio output is not supported by this server.");
        }
    }

    private List<ChatMessage> messages(JsonNode body) {
        JsonNode array = body.get("messages");
        if (array == null || array.isNull()) {
            throw ApiException.invalid("messages", "Missing required parameter: 'messages'.", "missing_required_parameter");
        }
        if (!array.isArray()) {
            throw typeError("messages", "an array", array);
        }
        if (array.isEmpty()) {
            throw ApiException.invalid("messages", "Invalid 'messages': empty array. Expected an array with minimum "
                    + "length 1, but got an empty array instead.", "empty_array");
        }
        List<ChatMessage> out = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            JsonNode m = array.get(i);
            String at = "messages[" + i + "]";
            if (!m.isObject()) {
                throw typeError(at, "an object", m);
            }
            JsonNode roleNode = m.get("role");
            if (roleNode == null || !roleNode.isTextual()) {
                throw ApiException.invalid(at + ".role", "Missing required parameter: '" + at + ".role'.",
                        "missing_required_parameter");
            }
            String role = switch (roleNode.asText()) {
                case "system", "developer" -> "system";
                case "user" -> "user";
                case "assistant" -> "assistant";
                case "tool" -> "tool";
                default -> throw ApiException.invalid(at + ".role", "Invalid value: '" + roleNode.asText()
                        + "'. Supported values are: 'system', 'developer', 'user', 'assistant' and 'tool'.",
                        "invalid_value");
            };
            out.add(new ChatMessage(role, content(m.get("content"), at + ".content", role)));
        }
        return out;
    }

    /** A message's text: a string, or an array of text parts (joined by newlines, as vLLM does). */
    private static String content(JsonNode c, String param, String role) {
        if (c == null || c.isNull()) {
            if (role.equals("assistant")) {
                return "";
            }
            throw ApiException.invalid(param, "Missing required parameter: '" + param + "'.",
                    "missing_required_parameter");
        }
        if (c.isTextual()) {
            return c.asText();
        }
        if (!c.isArray()) {
            throw typeError(param, "a string or an array of content parts", c);
        }
        StringBuilder text = new StringBuilder();
        for (int j = 0; j < c.size(); j++) {
            JsonNode part = c.get(j);
            String type = part.path("type").asText("");
            if (!type.equals("text") || !part.path("text").isTextual()) {
                throw ApiException.unsupported(param + "[" + j + "]", "Only text content parts are supported by "
                        + "this server, got type '" + type + "'.");
            }
            if (!text.isEmpty()) {
                text.append('\n');
            }
            text.append(part.get("text").asText());
        }
        return text.toString();
    }

    private static List<ChatMessage> withDefaultSystemPrompt(List<ChatMessage> messages) {
        if (messages.stream().anyMatch(m -> m.role().equals("system"))) {
            return messages;
        }
        List<ChatMessage> out = new ArrayList<>(messages.size() + 1);
        out.add(ChatMessage.system(AloeDefaults.SYSTEM_PROMPT));
        out.addAll(messages);
        return out;
    }

    private static Prompt completionPrompt(JsonNode body) {
        JsonNode p = body.get("prompt");
        if (p == null || p.isNull()) {
            throw ApiException.invalid("prompt", "Missing required parameter: 'prompt'.", "missing_required_parameter");
        }
        if (p.isTextual()) {
            return new Prompt.Text(p.asText());
        }
        if (p.isArray() && !p.isEmpty()) {
            if (p.get(0).isTextual() || p.get(0).isArray()) {
                if (p.size() > 1) {
                    throw ApiException.unsupported("prompt", "Only one prompt per request is supported by this "
                            + "server; send one request per prompt.");
                }
                return p.get(0).isTextual() ? new Prompt.Text(p.get(0).asText()) : tokens(p.get(0));
            }
            return tokens(p);
        }
        throw typeError("prompt", "a string, an array of strings, or an array of token ids", p);
    }

    private static Prompt.Tokens tokens(JsonNode array) {
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode t = array.get(i);
            if (!t.canConvertToInt() || !t.isIntegralNumber()) {
                throw typeError("prompt[" + i + "]", "an integer token id", t);
            }
            ids[i] = t.asInt();
        }
        return new Prompt.Tokens(ids);
    }

    private SamplingSettings sampling(JsonNode body) {
        SamplingSettings card = AloeDefaults.sampling(backend.family());
        double temperature = decimal(body, "temperature", 0, 2, card.temperature());
        double topP = decimal(body, "top_p", 0, 1, card.topP());
        Integer topK = integer(body, "top_k", -1, Integer.MAX_VALUE);
        double minP = decimal(body, "min_p", 0, 1, card.minP());
        double repetition = decimal(body, "repetition_penalty", 0, 10, card.repetitionPenalty());
        if (!(repetition > 0)) {
            throw ApiException.invalid("repetition_penalty", "Invalid 'repetition_penalty': expected a value > 0, "
                    + "but got " + repetition + " instead.", "decimal_below_min_value");
        }
        Long seed = null;
        JsonNode seedNode = body.get("seed");
        if (seedNode != null && !seedNode.isNull()) {
            if (!seedNode.isIntegralNumber() || !seedNode.canConvertToLong()) {
                throw typeError("seed", "an integer", seedNode);
            }
            seed = seedNode.asLong();
        }
        Integer maxTokens = integer(body, "max_completion_tokens", 1, Integer.MAX_VALUE);
        String maxParam = "max_completion_tokens";
        if (maxTokens == null) {
            maxTokens = integer(body, "max_tokens", 1, Integer.MAX_VALUE);
            maxParam = "max_tokens";
        }
        if (maxTokens != null && maxTokens > maxTokensLimit) {
            throw ApiException.invalid(maxParam, "Invalid '" + maxParam + "': integer above maximum value. This "
                    + "server allows at most " + maxTokensLimit + " tokens per completion, but got " + maxTokens
                    + " instead.", "integer_above_max_value");
        }
        int k = topK == null ? card.topK() : Math.max(0, topK); // vLLM's -1 means off, like 0
        int max = maxTokens != null ? maxTokens : Math.min(card.maxNewTokens(), maxTokensLimit);
        return new SamplingSettings(temperature, k, topP, minP, repetition, seed, max);
    }

    private static List<String> stop(JsonNode body) {
        JsonNode s = body.get("stop");
        if (s == null || s.isNull()) {
            return List.of();
        }
        if (s.isTextual()) {
            return List.of(s.asText());
        }
        if (!s.isArray()) {
            throw typeError("stop", "a string or an array of strings", s);
        }
        if (s.size() > MAX_STOP) {
            throw ApiException.invalid("stop", "Invalid 'stop': array too long. Expected an array with maximum "
                    + "length " + MAX_STOP + ", but got an array with length " + s.size() + " instead.",
                    "array_above_max_length");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < s.size(); i++) {
            if (!s.get(i).isTextual()) {
                throw typeError("stop[" + i + "]", "a string", s.get(i));
            }
            out.add(s.get(i).asText());
        }
        return out;
    }

    private static Map<Integer, Float> logitBias(JsonNode body) {
        JsonNode b = body.get("logit_bias");
        if (b == null || b.isNull()) {
            return Map.of();
        }
        if (!b.isObject()) {
            throw typeError("logit_bias", "an object", b);
        }
        Map<Integer, Float> out = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = b.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int id;
            try {
                id = Integer.parseInt(e.getKey());
            } catch (NumberFormatException x) {
                throw ApiException.invalid("logit_bias", "Invalid key in 'logit_bias': '" + e.getKey()
                        + "' is not a token id.");
            }
            if (id < 0 || !e.getValue().isNumber() || Math.abs(e.getValue().asDouble()) > 100) {
                throw ApiException.invalid("logit_bias", "Invalid 'logit_bias' entry for token " + e.getKey()
                        + ": expected a token id >= 0 and a number in [-100, 100].");
            }
            out.put(id, (float) e.getValue().asDouble());
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------- checks

    private static void requireObject(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ApiException.invalid(null, "The request body must be a JSON object.");
        }
    }

    private static boolean present(JsonNode body, String field) {
        JsonNode n = body.get(field);
        return n != null && !n.isNull();
    }

    private static boolean bool(JsonNode body, String field, boolean dflt) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isBoolean()) {
            throw typeError(field, "a boolean", n);
        }
        return n.asBoolean();
    }

    private static double decimal(JsonNode body, String field, double min, double max, double dflt) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isNumber()) {
            throw typeError(field, "a number", n);
        }
        double v = n.asDouble();
        if (!(v >= min)) {
            throw ApiException.invalid(field, "Invalid '" + field + "': decimal below minimum value. Expected a value "
                    + ">= " + fmt(min) + ", but got " + n.asText() + " instead.", "decimal_below_min_value");
        }
        if (!(v <= max)) {
            throw ApiException.invalid(field, "Invalid '" + field + "': decimal above maximum value. Expected a value "
                    + "<= " + fmt(max) + ", but got " + n.asText() + " instead.", "decimal_above_max_value");
        }
        return v;
    }

    private static Integer integer(JsonNode body, String field, int min, int max) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isIntegralNumber() && !(n.isNumber() && n.asDouble() == Math.rint(n.asDouble()))) {
            throw typeError(field, "an integer", n);
        }
        if (!n.canConvertToLong() || n.asLong() < min) {
            throw ApiException.invalid(field, "Invalid '" + field + "': integer below minimum value. Expected a value "
                    + ">= " + min + ", but got " + n.asText() + " instead.", "integer_below_min_value");
        }
        if (n.asLong() > max) {
            throw ApiException.invalid(field, "Invalid '" + field + "': integer above maximum value. Expected a value "
                    + "<= " + max + ", but got " + n.asText() + " instead.", "integer_above_max_value");
        }
        return (int) n.asLong();
    }

    private static ApiException typeError(String param, String expected, JsonNode got) {
        return ApiException.invalid(param, "Invalid type for '" + param + "': expected " + expected + ", but got "
                + describe(got) + " instead.", "invalid_type");
    }

    private static String describe(JsonNode n) {
        return switch (n.getNodeType()) {
            case STRING -> "a string";
            case NUMBER -> n.isIntegralNumber() ? "an integer" : "a decimal";
            case BOOLEAN -> "a boolean";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case NULL -> "null";
            default -> n.getNodeType().name().toLowerCase(Locale.ROOT);
        };
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
