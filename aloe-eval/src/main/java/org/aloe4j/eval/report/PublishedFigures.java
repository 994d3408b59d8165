package org.aloe4j.eval.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.aloe4j.eval.data.Benchmark;

/**
 * The Aloe Beta paper's published accuracies (arXiv 2505.04388, Table 9; percent), for showing a run beside them.
 * The table has columns for MedMCQA, MedQA, MMLU (mean of the six medical subjects) and CareQA; PubMedQA is only
 * inside the MultiMedQA average, so a PubMedQA run has no published figure to stand beside.
 */
public final class PublishedFigures {
    private PublishedFigures() {}

    public static final String SOURCE = "Aloe Beta paper (arXiv 2505.04388), Table 9";

    /** One row of the table; NaN where the paper has no figure. */
    public record Row(String model, double avg, double multiMedQa, double medMcqa, double medQa, double mmlu,
                      double careQa) {
        public double value(Benchmark b) {
            return switch (b) {
                case MEDQA -> medQa;
                case MEDMCQA -> medMcqa;
                case MMLU_MEDICAL -> mmlu;
                case CAREQA -> careQa;
                case PUBMEDQA, JSONL -> Double.NaN;
            };
        }

        public boolean aloe() {
            return model.contains("Aloe-Beta");
        }

        public boolean medprompt() {
            return model.endsWith("+ Medprompt");
        }
    }

    private static final double NA = Double.NaN;

    public static final List<Row> TABLE = List.of(
            new Row("Qwen2.5-Aloe-Beta-7B", 70.38, 66.39, 62.25, 65.36, 79.36, 74.56),
            new Row("Llama3.1-Aloe-Beta-8B", 67.87, 64.51, 59.57, 64.65, 76.50, 70.77),
            new Row("Llama3.1-Aloe-Beta-70B", 80.88, 76.54, 72.15, 79.73, 88.44, 83.19),
            new Row("Qwen2.5-Aloe-Beta-72B", 82.54, 77.64, 73.49, 80.68, 89.20, 86.78),
            new Row("Qwen2.5-7B-Instruct", 66.96, 61.66, 56.18, 61.59, 77.92, 72.14),
            new Row("Llama-3.1-8B-Instruct", 67.15, 63.79, 59.22, 63.71, 75.72, 69.95),
            new Row("Qwen2.5-72B-Instruct", 80.34, 74.42, 69.26, 77.85, 88.81, 85.45),
            new Row("Llama-3.1-70B-Instruct", 80.76, 76.41, 72.15, 79.73, 87.45, 83.72),
            new Row("Llama3-Med42-8B", 66.53, 64.10, 60.20, 62.53, 75.08, 68.30),
            new Row("Llama3-Med42-70B", 80.06, 76.28, 72.48, 78.16, 86.79, 82.80),
            new Row("MedPalm-2 (0-shot)", NA, 76.04, 71.30, 79.70, 87.77, NA),
            new Row("GPT-4 (0-shot)", NA, 76.59, 72.40, 81.40, 87.37, NA),
            new Row("Qwen2.5-Aloe-Beta-7B + Medprompt", 76.85, 74.34, 70.93, 76.12, 83.65, 76.71),
            new Row("Llama3.1-Aloe-Beta-8B + Medprompt", 77.50, 75.08, 70.76, 80.60, 83.20, 75.45),
            new Row("Llama3.1-Aloe-Beta-70B + Medprompt", 84.82, 79.99, 75.14, 86.88, 90.58, 86.67),
            new Row("Qwen2.5-Aloe-Beta-72B + Medprompt", 85.68, 81.35, 77.77, 85.94, 90.89, 88.13),
            new Row("GPT-4 + Medprompt", NA, 83.66, 79.1, 90.2, 94.25, NA));

    private static final Pattern SIZE = Pattern.compile("(?<![0-9.])(7|8|70|72)\\s*b(?![a-z0-9])");

    /**
     * The Aloe rows to show beside a run of {@code modelName}: when the name tells the family (qwen / llama) and
     * size (7B, 8B, 70B, 72B) of an Aloe Beta model, that model's row and its Medprompt row; otherwise every Aloe
     * row. Only rows with a figure for {@code bench} are returned (none for PubMedQA).
     */
    public static List<Row> rowsFor(Benchmark bench, String modelName) {
        String n = modelName == null ? "" : modelName.toLowerCase(Locale.ROOT);
        String family = n.contains("qwen") ? "Qwen2.5" : n.contains("llama") ? "Llama3.1" : null;
        Matcher m = SIZE.matcher(n);
        String size = m.find() ? m.group(1) + "B" : null;
        List<Row> out = new ArrayList<>();
        for (Row r : TABLE) {
            if (!r.aloe() || Double.isNaN(r.value(bench))) {
                continue;
            }
            if (family != null && size != null) {
                String base = family + "-Aloe-Beta-" + size;
                if (r.model().equals(base) || r.model().equals(base + " + Medprompt")) {
                    out.add(r);
                }
            } else {
                out.add(r);
            }
        }
        if (out.isEmpty() && family != null && size != null) {
            return rowsFor(bench, ""); // a size the paper does not have: show every Aloe row
        }
        return out;
    }
}
