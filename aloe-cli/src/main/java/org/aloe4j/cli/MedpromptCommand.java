package org.aloe4j.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code aloe medprompt ...}: the Medprompt knowledge base (build, import). Inference runs as
 * {@code aloe eval --method medprompt --kb INDEX}.
 */
@Command(name = "medprompt", mixinStandardHelpOptions = true,
        description = {"Medprompt: dynamic few-shot chain-of-thought examples from a knowledge base of solved questions.",
                "Answer a benchmark with it: aloe eval --method medprompt --kb INDEX ..."},
        subcommands = {MedpromptBuildCommand.class, MedpromptImportCommand.class})
final class MedpromptCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
