package org.aloe4j.cli;

import java.util.List;
import org.aloe4j.generation.ChatRequest;
import org.aloe4j.generation.GenerationResult;
import org.aloe4j.generation.LanguageModel;
import org.aloe4j.generation.LocalModel;
import org.aloe4j.generation.ModelFamily;
import org.aloe4j.generation.SamplingSettings;
import org.aloe4j.generation.TokenSink;
import picocli.CommandLine;

/**
 * {@code aloe eval} on the local engine, with a pause of {@code -Daloe.test.pauseMillis} (default 150) before each
 * call to the model: the tiny fixture model answers an item in about 20 ms, too fast for a test to kill the run
 * reliably part-way. Only the timing differs from {@code aloe eval --model}: same command, same engine.
 */
final class PacedEval {
    private PacedEval() {}

    public static void main(String[] args) {
        long pause = Long.getLong("aloe.test.pauseMillis", 150);
        ModelOpener paced = path -> new Paced(LocalModel.open(path), pause);
        System.exit(new CommandLine(new EvalCommand(paced, System.err)).execute(args));
    }

    private record Paced(LanguageModel model, long pauseMillis) implements LanguageModel {
        private void pause() {
            try {
                Thread.sleep(pauseMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public String name() {
            return model.name();
        }

        @Override
        public ModelFamily family() {
            return model.family();
        }

        @Override
        public GenerationResult chat(ChatRequest request, TokenSink sink) {
            pause();
            return model.chat(request, sink);
        }

        @Override
        public GenerationResult complete(String prompt, SamplingSettings sampling, List<String> stop, TokenSink sink) {
            pause();
            return model.complete(prompt, sampling, stop, sink);
        }

        @Override
        public double[] candidateLogprobs(ChatRequest request, List<String> candidates) {
            pause();
            return model.candidateLogprobs(request, candidates);
        }

        @Override
        public void close() {
            model.close();
        }
    }
}
