package org.aloe4j.hub;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Damaged blobs, in the cache or on the wire, are caught by size and hash and never trusted. */
class CorruptionTest {

    @TempDir
    Path cacheDir;
    FakeHub hub;
    FakeHub.FakeRepo repo;
    HubCache cache;
    final List<String> notices = new CopyOnWriteArrayList<>();
    final DownloadListener recorder = new DownloadListener() {
        @Override
        public void notice(String message) {
            notices.add(message);
        }
    };

    @BeforeEach
    void start() throws Exception {
        hub = new FakeHub();
        repo = TestRepos.aloe(hub);
        cache = new HubCache(cacheDir);
        new Downloader(TestRepos.config(hub, cacheDir))
                .download(TestRepos.ALOE, "main", FileSelection.all(), DownloadListener.NONE);
        hub.clearLog();
    }

    @AfterEach
    void stop() throws Exception {
        hub.close();
    }

    @Test
    void flippedByteInCachedBlobIsDetectedByHashAndRefetched() throws Exception {
        FakeHub.FakeFile shard = repo.file(TestRepos.SHARD2);
        Path blob = cache.blob(TestRepos.ALOE, shard.sha256());
        flipByte(blob, 123_456);

        Snapshot s = new Downloader(TestRepos.config(hub, cacheDir))
                .download(TestRepos.ALOE, "main", FileSelection.all(), recorder);

        assertArrayEquals(shard.content(), Files.readAllBytes(s.file(TestRepos.SHARD2)));
        assertEquals(shard.content().length, hub.bytesServed(shard.sha256()), "the corrupt blob fetched once more");
        assertEquals(shard.content().length, hub.totalBytesServed(), "the intact blobs were not fetched again");
        assertEquals(1, notices.size(), notices.toString());
        assertTrue(notices.get(0).contains(TestRepos.SHARD2 + ": the cached blob is corrupt (sha256 "), notices.get(0));
    }

    @Test
    void flippedByteInGitStoredFileIsDetectedByGitSha1() throws Exception {
        FakeHub.FakeFile tokenizer = repo.file("tokenizer.json");
        flipByte(cache.blob(TestRepos.ALOE, tokenizer.etag()), 10);

        new Downloader(TestRepos.config(hub, cacheDir)).download(TestRepos.ALOE, "main", FileSelection.all(), recorder);

        assertArrayEquals(tokenizer.content(), Files.readAllBytes(cache.blob(TestRepos.ALOE, tokenizer.etag())));
        assertEquals(tokenizer.content().length, hub.totalBytesServed());
        assertTrue(notices.get(0).contains("git sha1"), notices.toString());
    }

    @Test
    void truncatedBlobIsCaughtEvenBySizeOnlyVerification() throws Exception {
        FakeHub.FakeFile shard = repo.file(TestRepos.SHARD1);
        Path blob = cache.blob(TestRepos.ALOE, shard.sha256());
        try (FileChannel ch = FileChannel.open(blob, StandardOpenOption.WRITE)) {
            ch.truncate(500_000);
        }
        HubConfig config = TestRepos.config(hub, cacheDir);
        Downloader sizeOnly = new Downloader(new HubClient(config), cache, Downloader.Verification.SIZE);
        assertEquals(shard.content().length, sizeOnly.plan(TestRepos.ALOE, "main", FileSelection.all())
                .bytesToDownload(), "the plan counts the damaged blob as to download");

        sizeOnly.download(TestRepos.ALOE, "main", FileSelection.all(), recorder);

        assertArrayEquals(shard.content(), Files.readAllBytes(blob));
        assertEquals(shard.content().length, hub.totalBytesServed());
        assertTrue(notices.get(0).contains("size 500000 instead of 1000000"), notices.toString());
    }

    @Test
    void corruptTransferIsRejectedAndNeverEntersTheCache() throws Exception {
        FakeHub.FakeFile shard = repo.file(TestRepos.SHARD1);
        Path blob = cache.blob(TestRepos.ALOE, shard.sha256());
        Files.delete(blob);
        hub.corruptNextBlob();

        HubException e = assertThrows(HubException.class, () -> new Downloader(TestRepos.config(hub, cacheDir))
                .download(TestRepos.ALOE, "main", FileSelection.all(), recorder));

        assertEquals(HubException.Reason.INTEGRITY, e.reason());
        assertTrue(e.getMessage().contains("does not match the hub's sha256 " + shard.sha256()), e.getMessage());
        assertFalse(Files.exists(blob));
        assertFalse(Files.exists(cache.incomplete(TestRepos.ALOE, shard.sha256())));
        // the next pull gets it right
        new Downloader(TestRepos.config(hub, cacheDir)).download(TestRepos.ALOE, "main", FileSelection.all(), recorder);
        assertArrayEquals(shard.content(), Files.readAllBytes(blob));
    }

    @Test
    void badPartialFileIsDiscardedAndTheBlobFetchedFromTheStart() throws Exception {
        FakeHub.FakeFile shard = repo.file(TestRepos.SHARD1);
        Files.delete(cache.blob(TestRepos.ALOE, shard.sha256()));
        // a partial file that is not a prefix of the content (another tool, a disk error)
        Files.write(cache.incomplete(TestRepos.ALOE, shard.sha256()), FakeHub.randomBytes(99, 250_000));

        new Downloader(TestRepos.config(hub, cacheDir)).download(TestRepos.ALOE, "main", FileSelection.all(), recorder);

        assertArrayEquals(shard.content(), Files.readAllBytes(cache.blob(TestRepos.ALOE, shard.sha256())));
        assertEquals(750_000 + 1_000_000, hub.bytesServed(shard.sha256()), "resumed tail, then the whole file");
        assertTrue(notices.stream().anyMatch(n -> n.contains("resumed download did not match its hash")),
                notices.toString());
    }

    private static void flipByte(Path file, long position) throws Exception {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, position);
            b.put(0, (byte) (b.get(0) ^ 0xff));
            b.rewind();
            ch.write(b, position);
        }
    }
}
