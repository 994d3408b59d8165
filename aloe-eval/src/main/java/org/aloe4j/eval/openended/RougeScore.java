package org.aloe4j.eval.openended;

/** Precision, recall and F1 of one ROUGE variant. */
public record RougeScore(double precision, double recall, double fmeasure) {

    public static final RougeScore ZERO = new RougeScore(0, 0, 0);

    /** rouge-score's {@code scoring.fmeasure}: 2PR / (P + R), 0 when both are 0. */
    static RougeScore of(double p, double r) {
        return new RougeScore(p, r, p + r > 0 ? 2 * p * r / (p + r) : 0.0);
    }
}
