package org.aloe4j.hub;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A transfer cut midway continues with a Range request; verified bytes are never fetched twice. */
class ResumeTest {

    @TempDir
    Path cacheDir;
    FakeHub hub;
    FakeHub.FakeRepo repo;
    FakeHub.FakeFile shard;

    @BeforeEach
    void start() throws Exception {
        hub = new FakeHub();
        repo = TestRepos.aloe(hub);
        shard = repo.file(TestRepos.SHARD1);
    }

    @AfterEach
    void stop() throws Exception {
        hub.close();
    }

    private FileSelection shardOnly() {
        return FileSelection.exactly(List.of(TestRepos.SHARD1));
    }

    @Test
    void runKilledMidwayIsResumedByTheNextRunWithRange() throws Exception {
        HubConfig noRetry = TestRepos.config(hub, cacheDir).withRetries(0, Duration.ZERO);
        hub.cutNextBlobAfter(300_000);
        HubException e = assertThrows(HubException.class, () -> new Downloader(noRetry)
                .download(TestRepos.ALOE, "main", shardOnly(), DownloadListener.NONE));
        assertEquals(HubException.Reason.TRANSFER_FAILED, e.reason());
        assertTrue(e.getMessage().contains("broke off at byte 300000 of 1000000"), e.getMessage());
        assertTrue(e.getMessage().contains("run the same command again to resume"), e.getMessage());

        HubCache cache = new HubCache(cacheDir);
        Path partial = cache.incomplete(TestRepos.ALOE, shard.sha256());
        assertEquals(300_000, Files.size(partial), "what arrived before the cut stays in .incomplete");
        assertFalse(Files.exists(cache.blob(TestRepos.ALOE, shard.sha256())), "no blob before verification");
        DownloadPlan plan = new Downloader(noRetry).plan(TestRepos.ALOE, "main", shardOnly());
        assertEquals(300_000, plan.partialBytes());
        assertEquals(700_000, plan.bytesToDownload());

        Snapshot s = new Downloader(noRetry).download(TestRepos.ALOE, "main", shardOnly(), DownloadListener.NONE);

        assertArrayEquals(shard.content(), Files.readAllBytes(s.file(TestRepos.SHARD1)));
        assertFalse(Files.exists(partial));
        List<FakeHub.Request> gets = storeGets();
        assertEquals(2, gets.size());
        assertEquals(null, gets.get(0).range());
        assertEquals("bytes=300000-", gets.get(1).range());
        assertEquals(206, gets.get(1).status());
        assertEquals(shard.content().length, hub.bytesServed(shard.sha256()), "no byte served twice");
    }

    @Test
    void connectionCutDuringARunIsRetriedFromWhereItStopped() throws Exception {
        hub.cutNextBlobAfter(450_000);
        Snapshot s = new Downloader(TestRepos.config(hub, cacheDir))
                .download(TestRepos.ALOE, "main", shardOnly(), DownloadListener.NONE);

        assertArrayEquals(shard.content(), Files.readAllBytes(s.file(TestRepos.SHARD1)));
        List<FakeHub.Request> gets = storeGets();
        assertEquals(2, gets.size());
        assertEquals("bytes=450000-", gets.get(1).range());
        assertEquals(shard.content().length, hub.bytesServed(shard.sha256()));
    }

    @Test
    void serverIgnoringRangeRestartsTheFileCleanly() throws Exception {
        HubConfig noRetry = TestRepos.config(hub, cacheDir).withRetries(0, Duration.ZERO);
        hub.cutNextBlobAfter(200_000);
        assertThrows(HubException.class, () -> new Downloader(noRetry)
                .download(TestRepos.ALOE, "main", shardOnly(), DownloadListener.NONE));
        hub.ignoreRange(true);
        List<String> notices = new CopyOnWriteArrayList<>();
        Snapshot s = new Downloader(noRetry).download(TestRepos.ALOE, "main", shardOnly(), new DownloadListener() {
            @Override
            public void notice(String message) {
                notices.add(message);
            }
        });

        assertArrayEquals(shard.content(), Files.readAllBytes(s.file(TestRepos.SHARD1)));
        assertEquals(1, notices.size(), notices.toString());
        assertTrue(notices.get(0).contains("ignored the Range request"), notices.get(0));
        assertEquals(200_000 + shard.content().length, hub.bytesServed(shard.sha256()));
    }

    private List<FakeHub.Request> storeGets() {
        return hub.requests().stream().filter(r -> r.server().equals("store") && r.method().equals("GET")).toList();
    }
}
