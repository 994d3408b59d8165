package org.aloe4j.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.aloe4j.generation.AloeDefaults;
import org.aloe4j.template.ChatTemplate;
import org.aloe4j.tokenizer.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "render", description = {
        "Renders a conversation with the model's own chat template and prints the prompt exactly, nothing else.",
        "Like chat, a conversation without a system message gets Aloe's system prompt (--no-default-system: not)."})
final class RenderCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "GGUF file or Hugging Face directory (tokenizer files are enough), or a hub repository ORG/NAME[:FILE.gguf]")
    String model;

    @Option(names = "--messages", required = true, description = "JSON file: a list of messages (Hugging Face chat format)")
    Path messages;

    @Option(names = "--add-generation-prompt", description = "end with the assistant turn header")
    boolean addGenerationPrompt;

    @Option(names = "--tools", description = "JSON file: a list of tool definitions")
    Path tools;

    @Option(names = "--no-default-system", description = "do not add Aloe's system prompt when there is none")
    boolean noDefaultSystem;

    @Override
    public Integer call() {
        Path path = ModelFiles.resolve(model);
        ChatTemplate template = ModelFiles.template(path);
        List<Map<String, Object>> msgs = list(messages, "messages");
        if (!noDefaultSystem && msgs.stream().noneMatch(m -> "system".equals(m.get("role")))) {
            Map<String, Object> sys = new LinkedHashMap<>();
            sys.put("role", "system");
            sys.put("content", AloeDefaults.SYSTEM_PROMPT);
            msgs.add(0, sys);
        }
        Map<String, Object> ctx = new LinkedHashMap<>();
        try {
            Tokenizer tok = ModelFiles.tokenizer(path);
            if (tok.bosId() >= 0) {
                ctx.put("bos_token", tok.tokenText(tok.bosId()));
            }
            if (tok.eosId() >= 0) {
                ctx.put("eos_token", tok.tokenText(tok.eosId()));
            }
        } catch (RuntimeException e) {
            // a template-only directory: render without bos/eos variables
        }
        System.out.print(template.render(msgs, addGenerationPrompt, tools == null ? null : list(tools, "tools"), ctx));
        System.out.flush();
        return 0;
    }

    private static List<Map<String, Object>> list(Path file, String what) {
        JsonNode n = ModelFiles.readJson(file);
        if (!n.isArray()) {
            throw new IllegalArgumentException(file + ": " + what + " must be a JSON list");
        }
        return new ArrayList<>(ModelFiles.JSON.convertValue(n, new TypeReference<List<Map<String, Object>>>() {}));
    }
}
