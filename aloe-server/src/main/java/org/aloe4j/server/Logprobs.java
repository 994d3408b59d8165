package org.aloe4j.server;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.aloe4j.generation.Sampler;

/** Log-probabilities of a row of logits: the chosen token's and the best alternatives' (log-softmax, in double). */
final class Logprobs {
    private Logprobs() {}

    /**
     * @param logits    raw model scores, entries {@code [0, vocab)}
     * @param chosen    the sampled token
     * @param top       how many alternatives to list (0..20), best first, lowest id first on ties
     * @param tokenText the text shown for an id
     */
    static TokenLogprob of(float[] logits, int vocab, int chosen, int top, IntFunction<String> tokenText) {
        double logZ = Sampler.logSumExp(logits, vocab);
        // a small insertion-sorted list is enough for top <= 20
        int[] best = new int[top];
        int n = 0;
        for (int i = 0; i < vocab && top > 0; i++) {
            float v = logits[i];
            if (n == top && !(v > logits[best[n - 1]])) {
                continue;
            }
            int at = n < top ? n++ : n - 1;
            while (at > 0 && v > logits[best[at - 1]]) {
                best[at] = best[at - 1];
                at--;
            }
            best[at] = i;
        }
        List<TokenLogprob.Alternative> alternatives = new ArrayList<>(n);
        for (int j = 0; j < n; j++) {
            alternatives.add(new TokenLogprob.Alternative(best[j], tokenText.apply(best[j]), logits[best[j]] - logZ));
        }
        return new TokenLogprob(chosen, tokenText.apply(chosen), logits[chosen] - logZ, alternatives);
    }
}
