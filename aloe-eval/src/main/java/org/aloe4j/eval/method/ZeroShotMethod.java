package org.aloe4j.eval.method;

/** Asks for the answer directly ({@code Answer: [X]}), greedy, one run. */
public final class ZeroShotMethod extends GenerationMethod {
    public ZeroShotMethod(MethodOptions options) {
        super(options);
    }

    @Override
    public String name() {
        return "zero-shot";
    }

    @Override
    String instructions() {
        return McqPrompt.ZERO_SHOT_INSTRUCTIONS;
    }

    @Override
    int runs() {
        return 1;
    }

    @Override
    int defaultMaxTokens() {
        return 64;
    }
}
