package org.aloe4j.rag.store;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * PGlite (PostgreSQL 18 compiled to WASM) with its real pgvector extension, served on a free loopback port by
 * {@code pglite-server} from the npm packages pinned in {@code src/test/pglite} (installed there by {@code npm ci}
 * on first use). Debian's PostgreSQL has no pgvector; this gives the JDBC store a real one to talk to.
 *
 * <p>The calling test is skipped when node or npm is not installed.
 */
final class PgliteServer implements AutoCloseable {

    private static final Path HOME = Path.of(System.getProperty("basedir", "."), "src", "test", "pglite");

    private final Process process;
    private final int port;
    private final List<String> log = new ArrayList<>();

    private PgliteServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static PgliteServer start() throws Exception {
        assumeTrue(works("node", "--version"), "node is not installed: the pgvector test needs node and npm (skipped)");
        assumeTrue(works("npm", "--version"), "npm is not installed: the pgvector test needs node and npm (skipped)");
        Path server = HOME.resolve("node_modules/@electric-sql/pglite-socket/dist/scripts/server.js");
        if (!Files.exists(server)) {
            install();
        }
        int port = freeLoopbackPort();
        Process p = new ProcessBuilder("node", server.toString(), "-p", Integer.toString(port), "-h", "127.0.0.1",
                "-e", "@electric-sql/pglite-pgvector:vector", "-m", "4")
                .directory(HOME.toFile())
                .redirectErrorStream(true)
                .start();
        PgliteServer s = new PgliteServer(p, port);
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
        s.awaitListening();
        return s;
    }

    private static boolean works(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** npm ci in src/test/pglite: the exact versions of package-lock.json. */
    private static void install() throws Exception {
        Process p = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund")
                .directory(HOME.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            fail("npm ci in " + HOME + " failed:\n" + out);
        }
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Reads the server's output until it says it listens (the WASM start takes a few seconds). */
    private void awaitListening() throws Exception {
        CompletableFuture<Boolean> listening = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (log) {
                        log.add(line);
                    }
                    if (line.contains("listening")) {
                        listening.complete(true);
                    }
                }
            } catch (IOException ignored) {
                // the process ended: reported below
            }
            listening.complete(false);
        }, "pglite-output");
        reader.setDaemon(true);
        reader.start();
        boolean ok;
        try {
            ok = listening.get(90, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            ok = false;
        }
        if (!ok) {
            close();
            synchronized (log) {
                fail("pglite-server did not start listening on port " + port + ":\n" + String.join("\n", log));
            }
        }
    }

    String jdbcUrl(String extra) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?sslmode=disable" + extra;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
