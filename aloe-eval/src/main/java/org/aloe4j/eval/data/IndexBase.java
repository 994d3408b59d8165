package org.aloe4j.eval.data;

import java.nio.file.Path;
import java.util.Collection;
import java.util.TreeSet;

/**
 * Whether numeric answers count from 0 or 1 (MedMCQA's official files: {@code cop} 1..4; its Hugging Face copy:
 * 0..3). Decided from every value in the file: a 0 means 0-based, a value equal to the option count means 1-based;
 * a file with neither (or both) cannot tell, and the user must say (never a silent guess).
 */
public final class IndexBase {
    private IndexBase() {}

    /** Returns 0 or 1. */
    public static int detect(Collection<Integer> values, int optionCount, Path file, String field,
                             LoaderOptions options) {
        if (options.indexBase() != null) {
            return options.indexBase();
        }
        boolean zero = values.contains(0);
        boolean top = values.contains(optionCount);
        TreeSet<Integer> seen = new TreeSet<>(values);
        if (zero && top) {
            throw new DatasetException(file + ": '" + field + "' has both 0 and " + optionCount + " (values " + seen
                    + "): neither 0-based nor 1-based fits every row");
        }
        if (zero) {
            return 0;
        }
        if (top) {
            return 1;
        }
        throw new DatasetException(file + ": cannot tell whether '" + field + "' counts from 0 or 1 (values seen: "
                + seen + "); say which with --index-base 0|1");
    }

    public static String describe(int base, int optionCount, String field) {
        return field + " is " + base + "-based (" + base + ".." + (optionCount - 1 + base) + ")"
                + (base == 1 ? ": the official MedMCQA/CareQA convention" : ": the Hugging Face copy's convention");
    }
}
