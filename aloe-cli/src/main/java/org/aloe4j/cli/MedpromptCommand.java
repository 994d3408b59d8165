package org.aloe4j.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code aloe medprompt ...}: the Medprompt knowledge base (and, later, inference with it). */
@Command(name = "medprompt", mixinStandardHelpOptions = true,
        description = "Medprompt: dynamic few-shot chain-of-thought examples from a knowledge base of solved questions.",
        subcommands = {MedpromptImportCommand.class})
final class MedpromptCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
