package org.aloe4j.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.aloe4j.eval.report.RunComparison;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code aloe eval compare DIR...}: the runs' results side by side, as a markdown table on stdout. */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Tabulate several runs (their --out folders) side by side, as markdown.")
public final class EvalCompareCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "DIR")
    List<Path> dirs;

    @Override
    public Integer call() {
        try {
            System.out.print(RunComparison.markdown(dirs));
            return 0;
        } catch (Exception e) {
            System.err.println("aloe eval compare: " + e.getMessage());
            return 1;
        }
    }
}
