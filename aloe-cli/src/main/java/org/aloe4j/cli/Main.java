package org.aloe4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code aloe} command. Each sub-command is one class in this package. */
@Command(name = "aloe", mixinStandardHelpOptions = true, version = "aloe4j 0.1.0",
        description = "Run, serve, evaluate and merge the Aloe Beta medical LLMs on the JVM.",
        subcommands = {IndexCommand.class, MedpromptCommand.class})
public final class Main implements Runnable {

    /** Lucene logs its vectorization set-up at INFO on first use: not for users. Held so it is not collected. */
    private static final java.util.logging.Logger LUCENE_LOG = java.util.logging.Logger.getLogger("org.apache.lucene");

    static {
        LUCENE_LOG.setLevel(java.util.logging.Level.WARNING);
    }

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
