package org.aloe4j.merge;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The model card written with a merge: what was merged, how, and the configuration verbatim. */
final class MergeReadme {
    private MergeReadme() {}

    /** One input as given in the configuration and where it was read from. */
    record Input(String reference, String path, boolean base) {}

    static String render(String title, MergeConfig config, List<Input> inputs, long seed, String outputDtype,
            int tensors, long dataBytes, List<String> warnings) {
        StringBuilder sb = new StringBuilder();
        Set<String> refs = new LinkedHashSet<>();
        inputs.forEach(i -> refs.add(i.reference()));
        sb.append("---\nbase_model:\n");
        for (String r : refs) {
            sb.append("- ").append(yamlScalar(r)).append('\n');
        }
        sb.append("library_name: transformers\ntags:\n- mergekit\n- merge\n- aloe4j\n---\n");
        sb.append("# ").append(title).append("\n\n");
        sb.append("This model is a merge of pre-trained language models made with aloe4j's `aloe merge`, which reads ")
                .append("mergekit configurations and follows mergekit's arithmetic.\n\n");
        sb.append("## Merge details\n\n");
        MergeMethod m = config.method();
        sb.append("- Method: `").append(m.configName()).append("` (").append(m.reference()).append(")\n");
        if (config.baseModel() != null) {
            sb.append("- Base model: `").append(config.baseModel()).append("`\n");
        }
        sb.append("- Inputs:\n");
        for (Input i : inputs) {
            sb.append("  - `").append(i.reference()).append("`").append(i.base() ? " (base)" : "")
                    .append(", read from `").append(i.path()).append("`\n");
        }
        sb.append("- Seed: ").append(seed);
        if (m.sparsification() == MergeMethod.Sparsification.RANDOM) {
            sb.append(" (the DARE drop masks depend only on the seed, the tensor name and the model's position in "
                    + "`models`)");
        }
        sb.append('\n');
        sb.append("- Arithmetic: float32; weights written as ").append(outputDtype)
                .append(" (round to nearest, ties to even)\n");
        sb.append("- Output: ").append(tensors).append(" tensors, ").append(dataBytes).append(" bytes of weights\n");
        if (!warnings.isEmpty()) {
            sb.append("- Notes:\n");
            for (String w : warnings) {
                sb.append("  - ").append(w).append('\n');
            }
        }
        sb.append("\n## Configuration\n\nThe following YAML configuration was used to produce this model:\n\n");
        sb.append("```yaml\n").append(config.yaml().strip()).append("\n```\n");
        return sb.toString();
    }

    private static String yamlScalar(String s) {
        return s.matches("[A-Za-z0-9._/+-]+") ? s : '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
