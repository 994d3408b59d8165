package org.aloe4j.hub;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** HF_HUB_OFFLINE and an unreachable hub: the cache answers, or a one-line message says what to do. */
class OfflineTest {

    @TempDir
    Path cacheDir;
    FakeHub hub;
    FakeHub.FakeRepo repo;

    @BeforeEach
    void start() throws Exception {
        hub = new FakeHub();
        repo = TestRepos.aloe(hub);
    }

    @AfterEach
    void stop() throws Exception {
        hub.close();
    }

    @Test
    void offlineResolvesFromTheCacheWithoutAnyRequest() throws Exception {
        new Downloader(TestRepos.config(hub, cacheDir))
                .download(TestRepos.ALOE, "main", FileSelection.all(), DownloadListener.NONE);
        hub.clearLog();
        HubConfig offline = HubConfig.fromEnvironment(Map.of("HF_HUB_CACHE", cacheDir.toString(),
                "HF_ENDPOINT", hub.endpoint().toString(), "HF_HUB_OFFLINE", "1"));
        assertTrue(offline.offline());

        Snapshot s = new Downloader(offline).download(TestRepos.ALOE, "main", FileSelection.all(),
                DownloadListener.NONE);

        assertEquals(repo.commit, s.commit());
        assertArrayEquals(repo.file(TestRepos.SHARD1).content(), Files.readAllBytes(s.file(TestRepos.SHARD1)));
        assertEquals(List.of(), hub.requests());
        assertEquals(0, new Downloader(offline).plan(TestRepos.ALOE, "main", FileSelection.all()).bytesToDownload());
        // ModelLocator too, for a single file
        assertEquals(s.file("config.json"), ModelLocator.resolve(TestRepos.ALOE + ":config.json", offline,
                DownloadListener.NONE));
        assertEquals(List.of(), hub.requests());
    }

    @Test
    void offlineWithoutTheRepoInTheCacheFailsClearly() {
        HubConfig offline = TestRepos.config(hub, cacheDir).withOffline(true);
        HubException e = assertThrows(HubException.class, () -> new Downloader(offline)
                .download(TestRepos.ALOE, "main", FileSelection.all(), DownloadListener.NONE));
        assertEquals(HubException.Reason.NOT_IN_CACHE, e.reason());
        assertEquals("HPAI-BSC/Qwen2.5-Aloe-Beta-7B@main: it is not in the Hugging Face cache " + cacheDir
                + "; HF_HUB_OFFLINE is set, so nothing is downloaded; run 'aloe pull HPAI-BSC/Qwen2.5-Aloe-Beta-7B'"
                + " with network access first (or unset HF_HUB_OFFLINE), or use a local file:"
                + " --model /path/to/file.gguf", e.getMessage());
        assertEquals(List.of(), hub.requests());
    }

    @Test
    void offlineWithAPartialSnapshotNamesTheMissingFiles() throws Exception {
        new Downloader(TestRepos.config(hub, cacheDir)).download(TestRepos.ALOE, "main",
                FileSelection.including(List.of("*.json")), DownloadListener.NONE);
        HubConfig offline = TestRepos.config(hub, cacheDir).withOffline(true);

        // what was pulled is there
        new Downloader(offline).download(TestRepos.ALOE, "main", FileSelection.including(List.of("*.json")),
                DownloadListener.NONE);
        // the rest is not, and the tree listing tells which files are missing
        HubException e = assertThrows(HubException.class, () -> new Downloader(offline)
                .download(TestRepos.ALOE, "main", FileSelection.all(), DownloadListener.NONE));
        assertEquals(HubException.Reason.NOT_IN_CACHE, e.reason());
        assertTrue(e.getMessage().contains("is incomplete: 3 file(s) missing or damaged (" + TestRepos.SHARD1 + ", "
                + TestRepos.SHARD2 + ", " + TestRepos.NESTED + ")"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void unreachableHubGivesOneLineWithTheLocalFileAlternative() throws Exception {
        URI closed = URI.create("http://127.0.0.1:" + freePort());
        HubConfig config = HubConfig.of(closed, cacheDir);
        HubException e = assertThrows(HubException.class, () -> new Downloader(config)
                .download(TestRepos.ALOE, "main", FileSelection.all(), DownloadListener.NONE));
        assertEquals(HubException.Reason.NOT_IN_CACHE, e.reason());
        assertTrue(e.getMessage().contains("cannot reach the Hugging Face hub at " + closed), e.getMessage());
        assertTrue(e.getMessage().endsWith("--model /path/to/file.gguf"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        assertEquals(HubException.Reason.UNREACHABLE, ((HubException) e.getCause()).reason());

        // a DNS failure is reported the same way (checked on the exception, no lookup leaves this machine)
        var dnsFailure = new java.net.ConnectException();
        dnsFailure.initCause(new java.nio.channels.UnresolvedAddressException());
        assertTrue(HubClient.isUnreachable(dnsFailure));
        assertEquals("host name not found", HubClient.describe(dnsFailure));
    }

    @Test
    void unreachableHubFallsBackToACompleteCachedSnapshot() throws Exception {
        new Downloader(TestRepos.config(hub, cacheDir))
                .download(TestRepos.ALOE, "main", FileSelection.all(), DownloadListener.NONE);
        HubConfig config = HubConfig.of(URI.create("http://127.0.0.1:" + freePort()), cacheDir);
        Snapshot s = new Downloader(config).download(TestRepos.ALOE, "main", FileSelection.all(),
                DownloadListener.NONE);
        assertEquals(repo.commit, s.commit());
        assertEquals(5, s.paths().size());
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();   // closed again: connections to it are refused
        }
    }
}
