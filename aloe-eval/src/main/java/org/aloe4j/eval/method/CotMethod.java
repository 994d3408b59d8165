package org.aloe4j.eval.method;

/** Chain of thought: reason step by step, end with {@code Answer: [X]}; greedy, one run. */
public final class CotMethod extends GenerationMethod {
    public CotMethod(MethodOptions options) {
        super(options);
    }

    @Override
    public String name() {
        return "cot";
    }

    @Override
    String instructions() {
        return McqPrompt.COT_INSTRUCTIONS;
    }

    @Override
    int runs() {
        return 1;
    }

    @Override
    int defaultMaxTokens() {
        return 1024;
    }
}
