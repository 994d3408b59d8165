package org.aloe4j.cli;

import org.aloe4j.hub.FakeHub;
import org.aloe4j.hub.TestRepos;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code aloe pull} against the fake hub: stdout is the path, stderr the progress or a one-line error. */
class PullCommandTest {

    @TempDir
    Path hfHome;
    FakeHub hub;
    FakeHub.FakeRepo repo;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    @BeforeEach
    void start() throws Exception {
        hub = new FakeHub();
        repo = TestRepos.aloe(hub);
    }

    @AfterEach
    void stop() throws Exception {
        hub.close();
    }

    private int pull(Map<String, String> extraEnv, String... args) {
        var env = new java.util.HashMap<>(Map.of("HF_HOME", hfHome.toString(), "HF_ENDPOINT",
                hub.endpoint().toString()));
        env.putAll(extraEnv);
        CommandLine cl = new CommandLine(new PullCommand(env));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void pullRegisteredInMain() {
        assertTrue(new CommandLine(new Main()).getSubcommands().containsKey("pull"));
    }

    @Test
    void pullPrintsTheSnapshotFolderAndReportsProgress() throws Exception {
        int code = pull(Map.of(), TestRepos.ALOE, "--include", "*.json", "*.safetensors");

        assertEquals(0, code, err.toString());
        Path snapshot = hfHome.resolve("hub/models--HPAI-BSC--Qwen2.5-Aloe-Beta-7B/snapshots/" + repo.commit);
        assertEquals(snapshot.toString(), out.toString().strip());
        assertArrayEquals(repo.file(TestRepos.SHARD1).content(),
                Files.readAllBytes(snapshot.resolve(TestRepos.SHARD1)));
        assertTrue(Files.notExists(snapshot.resolve(TestRepos.NESTED)));
        String progress = err.toString();
        assertTrue(progress.startsWith("pull HPAI-BSC/Qwen2.5-Aloe-Beta-7B@" + repo.commit.substring(0, 10)
                + ": 4 files, 1.7 MB, 1.7 MB to download"), progress);
        assertTrue(progress.contains("downloaded 1.7 MB in "), progress);
    }

    @Test
    void pullOfOneFileAndDryRun() throws Exception {
        assertEquals(0, pull(Map.of(), TestRepos.ALOE + ":config.json", "--dry-run"));
        assertEquals("config.json\t56 B\n1 file, 56 B, 56 B to download\n", out.toString());
        assertEquals(0, hub.totalBytesServed());

        out.getBuffer().setLength(0);
        assertEquals(0, pull(Map.of(), TestRepos.ALOE + ":config.json"));
        Path file = Path.of(out.toString().strip());
        assertTrue(file.endsWith("config.json"));
        assertArrayEquals(repo.file("config.json").content(), Files.readAllBytes(file));
    }

    @Test
    void errorsAreOneLineWithExitCode1() {
        repo.requiredToken = "hf_granted";
        assertEquals(1, pull(Map.of(), TestRepos.ALOE, "--include", "config.json"));
        String message = err.toString().strip().lines().reduce((a, b) -> b).orElseThrow();
        assertTrue(message.startsWith("aloe pull: " + TestRepos.ALOE + " is a gated repository (HTTP 401)"), message);
        assertTrue(message.contains("set HF_TOKEN=hf_..."), message);
        assertTrue(err.toString().startsWith("pull " + TestRepos.ALOE + "@"), "the plan line comes first");
        assertTrue(!err.toString().contains("downloaded"), "no success line after a failure");

        err.getBuffer().setLength(0);
        assertEquals(1, pull(Map.of("HF_HUB_OFFLINE", "1"), TestRepos.ALOE));
        assertTrue(err.toString().startsWith("aloe pull: " + TestRepos.ALOE + "@main: it is not in the Hugging Face"
                + " cache"), err.toString());

        err.getBuffer().setLength(0);
        assertEquals(2, pull(Map.of(), "not-a-repo"));
        assertEquals("aloe pull: 'not-a-repo' is not a hub repository id (ORG/NAME or ORG/NAME:FILE)\n",
                err.toString());
    }

    @Test
    void plainProgressLinesCarryRateAndEta() {
        StringWriter lines = new StringWriter();
        var progress = new PullProgress.Lines(new PrintWriter(lines), Duration.ZERO);
        var plan = new org.aloe4j.hub.DownloadPlan("A/B", "main", "0123456789abcdef0123456789abcdef01234567",
                java.util.List.of(), 2_000_000, 0, 0);
        progress.planned(plan);
        progress.transferred(null, 1_000_000);
        progress.close();
        String text = lines.toString();
        assertTrue(text.contains("downloaded 1.0 MB of 2.0 MB (50%), "), text);
        assertTrue(text.contains("/s, ETA "), text);
    }
}
