package org.aloe4j.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.aloe4j.eval.openended.LlmJudge;
import org.aloe4j.eval.openended.OpenEndedRunner;
import org.aloe4j.generation.LanguageModel;
import org.aloe4j.remote.OpenAiCompatibleModel;
import org.aloe4j.remote.RetryPolicy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code aloe eval open}: ROUGE (and optionally an LLM judge) on open-ended JSONL tasks. */
@Command(name = "open", mixinStandardHelpOptions = true,
        description = {"Open-ended tasks: JSONL rows {prompt, reference [, prediction]}; rows without a prediction are"
                + " answered by the model.", "Scores ROUGE-1/2/L/Lsum (rouge-score semantics) and, with"
                + " --judge-backend, a 1-5 rubric grade from a judge model."})
public final class EvalOpenCommand implements Callable<Integer> {

    @Option(names = "--data", required = true, paramLabel = "FILE")
    Path data;

    @Mixin
    BackendOptions backend = new BackendOptions();

    @Option(names = "--judge-backend", paramLabel = "URL", description = "OpenAI-compatible server of the judge")
    String judgeBackend;

    @Option(names = "--judge-model", paramLabel = "NAME", description = "the judge's model name on that server")
    String judgeModel;

    @Option(names = "--judge-api-key", paramLabel = "KEY", defaultValue = "${env:ALOE_JUDGE_API_KEY}")
    String judgeApiKey;

    @Option(names = "--no-stem", description = "ROUGE without the Porter stemmer")
    boolean noStem;

    @Option(names = "--max-tokens", defaultValue = "512", description = "tokens per generated answer")
    int maxTokens;

    @Option(names = "--out", required = true, paramLabel = "DIR")
    Path out;

    @Override
    public Integer call() {
        try {
            LanguageModel model = backend.given() ? backend.open(ModelOpener.LOCAL) : null;
            LlmJudge judge = null;
            if (judgeBackend != null) {
                var jm = OpenAiCompatibleModel.builder(judgeBackend).apiKey(judgeApiKey).backendModel(judgeModel)
                        .retry(RetryPolicy.defaults()).requestTimeout(Duration.ofMinutes(10)).build();
                judge = new LlmJudge(jm, LlmJudge.MEDICAL_ANSWER, 3);
            }
            var r = OpenEndedRunner.run(data, model, judge, !noStem, maxTokens, out, System.err);
            System.err.printf(Locale.ROOT, "aloe eval open: %d items, ROUGE-1 F %.4f, ROUGE-2 F %.4f, ROUGE-L F %.4f%s;"
                            + " results in %s%n", r.get("n").asInt(), r.get("rouge1").get("f").asDouble(),
                    r.get("rouge2").get("f").asDouble(), r.get("rougeL").get("f").asDouble(),
                    r.has("judge") ? ", judge mean " + r.get("judge").get("mean") : "", out);
            return 0;
        } catch (Exception e) {
            System.err.println("aloe eval open: " + e.getMessage());
            return 1;
        }
    }
}
