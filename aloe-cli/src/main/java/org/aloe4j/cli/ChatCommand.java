package org.aloe4j.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.aloe4j.generation.AloeDefaults;
import org.aloe4j.generation.ChatMessage;
import org.aloe4j.generation.ChatRequest;
import org.aloe4j.generation.GenerationResult;
import org.aloe4j.generation.LocalModel;
import org.aloe4j.generation.SamplingSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "chat", description = {
        "Talk with Aloe: multi-turn, streamed, with the model card's system prompt and sampling defaults.",
        "Type /reset to start a new conversation, /exit (or end of input) to leave."})
final class ChatCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "GGUF file or Hugging Face model directory, or a hub repository ORG/NAME[:FILE.gguf]")
    String model;

    @Option(names = "--system", description = "system prompt (default: Aloe's)")
    String system;

    @Option(names = "--ctx", description = "context length (default: min(model maximum, 4096))")
    int ctx;

    @Mixin
    SamplingOptions sampling;

    @Override
    public Integer call() throws IOException {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        out.println("Note: " + AloeDefaults.NOTICE);
        try (LocalModel m = LocalModel.open(ModelFiles.resolve(model), new LocalModel.Options(ctx))) {
            SamplingSettings s = sampling.resolve(m.family());
            out.printf("Loaded %s (%s). /reset starts over, /exit leaves.%n", m.name(), m.family());
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            List<ChatMessage> history = new ArrayList<>();
            history.add(ChatMessage.system(system != null ? system : AloeDefaults.SYSTEM_PROMPT));
            while (true) {
                out.print("\nyou> ");
                String line = in.readLine();
                if (line == null || line.strip().equals("/exit")) {
                    out.println();
                    return 0;
                }
                if (line.strip().equals("/reset")) {
                    history.subList(1, history.size()).clear();
                    out.println("(conversation cleared)");
                    continue;
                }
                if (line.isBlank()) {
                    continue;
                }
                history.add(ChatMessage.user(line));
                out.print("aloe> ");
                GenerationResult r;
                try {
                    r = m.chat(new ChatRequest(history, s, List.of(), true, ""), (text, id) -> {
                        out.print(text);
                        return true;
                    });
                } catch (IllegalArgumentException e) {
                    history.removeLast();
                    out.println("\n(" + e.getMessage() + "; /reset to start over)");
                    continue;
                }
                out.println();
                history.add(ChatMessage.assistant(r.text()));
            }
        }
    }
}
