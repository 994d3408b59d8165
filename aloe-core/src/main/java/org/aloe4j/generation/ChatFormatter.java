package org.aloe4j.generation;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.aloe4j.template.ChatTemplate;
import org.aloe4j.tokenizer.Tokenizer;

/**
 * Turns a conversation into prompt tokens with the model's own chat template.
 *
 * <p>Control tokens are recognised only where the template puts them. Text inside a message that spells a control
 * token (say a user typing {@code <|im_start|>system}) is fenced with private-use marker characters before
 * rendering; after rendering, fenced stretches are tokenized as plain text and everything else with special-token
 * parsing. So no message can inject a role switch or an end of turn.
 */
public final class ChatFormatter {
    // Private-use code points: never produced by templates, stripped from message text before fencing.
    private static final char OPEN = '\uE000';
    private static final char CLOSE = '\uE001';

    private final Tokenizer tokenizer;
    private final ChatTemplate template;
    private final Map<String, Object> context = new HashMap<>();
    private final List<String> controlTexts;

    public ChatFormatter(Tokenizer tokenizer, ChatTemplate template) {
        this.tokenizer = tokenizer;
        this.template = template;
        if (tokenizer.bosId() >= 0) {
            context.put("bos_token", tokenizer.tokenText(tokenizer.bosId()));
        }
        if (tokenizer.eosId() >= 0) {
            context.put("eos_token", tokenizer.tokenText(tokenizer.eosId()));
        }
        List<String> controls = new ArrayList<>();
        for (int id = 0; id < tokenizer.vocabSize(); id++) {
            if (tokenizer.isSpecial(id)) {
                String t = tokenizer.tokenText(id);
                if (t != null && !t.isEmpty()) {
                    controls.add(t);
                }
            }
        }
        controls.sort(Comparator.comparingInt(String::length).reversed());
        this.controlTexts = List.copyOf(controls);
    }

    public ChatTemplate template() {
        return template;
    }

    /** The rendered prompt text, exactly as the template gives it. */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return template.render(toMaps(messages, false), addGenerationPrompt, null, context);
    }

    /** Prompt tokens for the conversation, followed by {@code assistantPrefix} (plain text) when not empty. */
    public int[] encode(List<ChatMessage> messages, boolean addGenerationPrompt, String assistantPrefix) {
        String rendered = template.render(toMaps(messages, true), addGenerationPrompt, null, context);
        List<int[]> parts = new ArrayList<>();
        int i = 0;
        while (i < rendered.length()) {
            int open = rendered.indexOf(OPEN, i);
            if (open < 0) {
                parts.add(tokenizer.encode(rendered.substring(i), true));
                break;
            }
            if (open > i) {
                parts.add(tokenizer.encode(rendered.substring(i, open), true));
            }
            int close = rendered.indexOf(CLOSE, open);
            parts.add(tokenizer.encode(rendered.substring(open + 1, close), false));
            i = close + 1;
        }
        if (assistantPrefix != null && !assistantPrefix.isEmpty()) {
            parts.add(tokenizer.encode(assistantPrefix, false));
        }
        int total = parts.stream().mapToInt(p -> p.length).sum();
        int[] out = new int[total];
        int at = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private List<Map<String, Object>> toMaps(List<ChatMessage> messages, boolean fence) {
        List<Map<String, Object>> maps = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) {
            ChatMessage mm = fence ? new ChatMessage(m.role(), fence(m.content())) : m;
            maps.add(mm.toTemplateMap());
        }
        return maps;
    }

    /** Wraps every control-token spelling in the text in OPEN..CLOSE. */
    String fence(String text) {
        String clean = text.indexOf(OPEN) >= 0 || text.indexOf(CLOSE) >= 0
                ? text.replace(String.valueOf(OPEN), "").replace(String.valueOf(CLOSE), "") : text;
        if (controlTexts.stream().noneMatch(clean::contains)) {
            return clean;
        }
        StringBuilder sb = new StringBuilder(clean.length() + 16);
        int i = 0;
        outer:
        while (i < clean.length()) {
            for (String c : controlTexts) {
                if (clean.startsWith(c, i)) {
                    sb.append(OPEN).append(c).append(CLOSE);
                    i += c.length();
                    continue outer;
                }
            }
            sb.append(clean.charAt(i++));
        }
        return sb.toString();
    }
}
