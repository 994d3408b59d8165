package org.aloe4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code aloe} command. Each sub-command is one class in this package. */
@Command(name = "aloe", mixinStandardHelpOptions = true, version = "aloe4j 0.1.0",
        description = "Run, serve, evaluate and merge the Aloe Beta medical LLMs on the JVM.",
        subcommands = {IndexCommand.class, MedpromptCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit code (tests call this instead of main). */
    public static int run(String... args) {
        return new CommandLine(new Main()).execute(args);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
