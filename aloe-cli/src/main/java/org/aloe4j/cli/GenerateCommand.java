package org.aloe4j.cli;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.aloe4j.generation.ChatMessage;
import org.aloe4j.generation.ChatRequest;
import org.aloe4j.generation.GenerationResult;
import org.aloe4j.generation.LocalModel;
import org.aloe4j.generation.SamplingSettings;
import org.aloe4j.util.ProcessStats;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "generate", description = {
        "Continues a raw prompt (no chat template unless --chat) and streams the text to stdout.",
        "Sampling defaults are the model card's; --greedy for deterministic output."})
final class GenerateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "GGUF file or Hugging Face model directory, or a hub repository ORG/NAME[:FILE.gguf]")
    String model;

    static final class Input {
        @Option(names = "--prompt", description = "the prompt text (special-token text is parsed)")
        String prompt;

        @Option(names = "--tokens", split = ",", description = "the prompt as token ids: ID,ID,...")
        int[] tokens;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    @Option(names = "--chat", description = "treat --prompt as a user message in the model's chat template")
    boolean chat;

    @Option(names = "--print-ids", description = "after the text, print the generated token ids on one line")
    boolean printIds;

    @Option(names = "--stop", description = "stop string (repeatable)")
    List<String> stop = new ArrayList<>();

    @Option(names = "--ctx", description = "context length (default: min(model maximum, 4096))")
    int ctx;

    @Mixin
    SamplingOptions sampling;

    @Override
    public Integer call() {
        try (LocalModel m = LocalModel.open(ModelFiles.resolve(model), new LocalModel.Options(ctx))) {
            SamplingSettings s = sampling.resolve(m.family());
            int[] prompt;
            if (input.tokens != null) {
                prompt = input.tokens;
                for (int id : prompt) {
                    if (id < 0 || id >= m.config().vocabSize()) {
                        throw new IllegalArgumentException("token id " + id + " outside the vocabulary (0.."
                                + (m.config().vocabSize() - 1) + ")");
                    }
                }
            } else if (chat) {
                prompt = m.chatTokens(ChatRequest.of(List.of(ChatMessage.user(input.prompt))));
            } else {
                prompt = m.promptTokens(input.prompt);
            }
            PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
            List<Integer> ids = new ArrayList<>();
            GenerationResult r = m.generate(prompt, s, stop, (text, id) -> {
                out.print(text);
                if (id >= 0) {
                    ids.add(id);
                }
                return true;
            });
            out.println();
            if (printIds) {
                out.println(ids.stream().map(String::valueOf).collect(Collectors.joining(" ")));
            }
            System.err.printf("[%d prompt tokens, %d generated, finish: %s, peak RSS %d MB]%n", r.usage().promptTokens(),
                    r.usage().completionTokens(), r.finishReason().openAiName(), ProcessStats.peakRssBytes() >> 20);
            return 0;
        }
    }

    static String ids(int[] a) {
        return Arrays.stream(a).mapToObj(Integer::toString).collect(Collectors.joining(" "));
    }
}
