package org.aloe4j.cli;

import java.io.BufferedReader;
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
import org.aloe4j.generation.LanguageModel;
import org.aloe4j.generation.LocalModel;
import org.aloe4j.generation.SamplingSettings;
import org.aloe4j.rag.docs.GroundedTurn;
import org.aloe4j.rag.docs.RagContext;
import org.aloe4j.rag.docs.Retriever;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "chat", description = {
        "Talk with Aloe: multi-turn, streamed, with the model card's system prompt and sampling defaults.",
        "Type /reset to start a new conversation, /exit (or end of input) to leave.",
        "With --rag INDEX (made by aloe index), each question is answered from the passages retrieved for it, and the "
                + "sources used are listed after the answer."})
final class ChatCommand implements Callable<Integer> {

    /** Opens {@code --model} with the context length {@code --ctx} (0 = the default). */
    @FunctionalInterface
    interface Opener {
        LanguageModel open(String model, int ctx) throws Exception;
    }

    private final Opener opener;

    ChatCommand() {
        this((model, ctx) -> LocalModel.open(ModelFiles.resolve(model), new LocalModel.Options(ctx)));
    }

    /** For tests: another way to open the model (e.g. a scripted OpenAI-compatible server). */
    ChatCommand(Opener opener) {
        this.opener = opener;
    }

    @Option(names = "--model", required = true, description = "GGUF file or Hugging Face model directory, or a hub repository ORG/NAME[:FILE.gguf]")
    String model;

    @Option(names = "--system", description = "system prompt (default: Aloe's)")
    String system;

    @Option(names = "--ctx", description = "context length (default: min(model maximum, 4096))")
    int ctx;

    @Option(names = "--rag", paramLabel = "INDEX", description = "ground answers in this document index")
    Path rag;

    @Option(names = "--rag-k", paramLabel = "K", defaultValue = "4",
            description = "passages retrieved per question with --rag (default: ${DEFAULT-VALUE})")
    int ragK;

    @Mixin
    SamplingOptions sampling;

    @Override
    public Integer call() throws Exception {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        out.println("Note: " + AloeDefaults.NOTICE);
        if (rag != null && ragK < 1) {
            throw new IllegalArgumentException("--rag-k must be >= 1, got " + ragK);
        }
        try (Retriever retriever = rag == null ? null : Retriever.open(rag);
                LanguageModel m = opener.open(model, ctx)) {
            SamplingSettings s = sampling.resolve(m.family());
            out.printf("Loaded %s (%s). /reset starts over, /exit leaves.%n", m.name(), m.family());
            if (retriever != null) {
                out.printf("Answers are grounded in %s (%,d passages).%n", rag, retriever.size());
            }
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
                // only this turn carries the passages: the history keeps the question as typed
                RagContext context = retriever == null ? null : retriever.build(line, ragK);
                List<ChatMessage> request = new ArrayList<>(history);
                request.add(ChatMessage.user(context == null ? line : GroundedTurn.userMessage(line, context)));
                out.print("aloe> ");
                GenerationResult r;
                try {
                    r = m.chat(new ChatRequest(request, s, List.of(), true, ""), (text, id) -> {
                        out.print(text);
                        return true;
                    });
                } catch (IllegalArgumentException e) {
                    out.println("\n(" + e.getMessage() + "; /reset to start over)");
                    continue;
                }
                out.println();
                if (context != null) {
                    out.println(context.isEmpty() ? "(no passage found in " + rag + ")"
                            : GroundedTurn.sourcesList(context));
                }
                history.add(ChatMessage.user(line));
                history.add(ChatMessage.assistant(r.text()));
            }
        }
    }
}
