package org.aloe4j.cli;

import java.io.PrintWriter;
import org.aloe4j.formats.ModelFormatException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code aloe} command. Each sub-command is one class in this package. */
@Command(name = "aloe", mixinStandardHelpOptions = true, version = "aloe4j 0.1.0",
        description = "Run, serve, evaluate and merge the Aloe Beta medical LLMs on the JVM.",
        subcommands = {ChatCommand.class, GenerateCommand.class, LogitsCommand.class, TokenizeCommand.class,
                RenderCommand.class, InspectCommand.class, PullCommand.class, EvalCommand.class,
                MergeCommand.class, IndexCommand.class, MedpromptCommand.class, ServeCommand.class,
                ConvertCommand.class, SynthCommand.class, BenchCommand.class})
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
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler(Main::handle);
        return cl.execute(args);
    }

    /** Errors a user can act on are one line on stderr; a stack trace only with ALOE_DEBUG set. */
    private static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        err.println("aloe " + cl.getCommandName() + ": " + msg.lines().findFirst().orElse(msg));
        if (System.getenv("ALOE_DEBUG") != null) {
            e.printStackTrace(err);
        }
        err.flush();
        return e instanceof ModelFormatException || e instanceof IllegalArgumentException ? 2 : 1;
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
