package org.aloe4j.hub;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cache a pull leaves is the one {@code huggingface_hub} makes and reads. */
class CacheLayoutTest {

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
    void pullWritesBlobsRelativeSymlinksRefsAndTree() throws Exception {
        Downloader downloader = new Downloader(TestRepos.config(hub, cacheDir));
        Snapshot snapshot = downloader.download(TestRepos.ALOE, "main", FileSelection.all(), DownloadListener.NONE);

        Path repoDir = cacheDir.resolve("models--HPAI-BSC--Qwen2.5-Aloe-Beta-7B");
        assertEquals(repoDir.resolve("snapshots").resolve(repo.commit), snapshot.dir());
        // refs/main holds the commit sha, no newline, as Python writes it
        assertEquals(repo.commit, Files.readString(repoDir.resolve("refs/main")));

        for (FakeHub.FakeFile f : repo.files.values()) {
            Path blob = repoDir.resolve("blobs").resolve(f.etag());
            assertArrayEquals(f.content(), Files.readAllBytes(blob), f.path());
            Path pointer = snapshot.dir().resolve(f.path());
            assertTrue(Files.isSymbolicLink(pointer), f.path());
            int depth = f.path().split("/").length;   // config.json: 1 -> ../../blobs
            String expected = "../".repeat(depth + 1) + "blobs/" + f.etag();
            assertEquals(expected, Files.readSymbolicLink(pointer).toString(), f.path());
            assertArrayEquals(f.content(), Files.readAllBytes(pointer));
        }
        // LFS blobs are named by sha256, git-stored ones by the git blob sha1
        assertEquals(64, repo.file(TestRepos.SHARD1).etag().length());
        assertEquals(40, repo.file("config.json").etag().length());

        assertEquals(HubCache.CACHEDIR_TAG, Files.readString(cacheDir.resolve("CACHEDIR.TAG")));
        assertTrue(Files.isRegularFile(cacheDir.resolve(".locks/models--HPAI-BSC--Qwen2.5-Aloe-Beta-7B")
                .resolve(repo.file(TestRepos.SHARD1).sha256() + ".lock")));
        String tree = Files.readString(repoDir.resolve("trees/" + repo.commit + ".json"), StandardCharsets.UTF_8);
        assertTrue(tree.contains("\"format_version\" : 1"), tree);
        assertTrue(tree.contains("\"lfs_sha256\" : \"" + repo.file(TestRepos.SHARD1).sha256() + "\""), tree);
        try (Stream<Path> s = Files.walk(cacheDir)) {
            List<Path> leftovers = s.filter(p -> p.toString().endsWith(".incomplete") || p.toString().endsWith(".tmp"))
                    .toList();
            assertEquals(List.of(), leftovers);
        }
        // every byte came over the wire exactly once
        long total = repo.files.values().stream().mapToLong(f -> f.content().length).sum();
        assertEquals(total, hub.totalBytesServed());
    }

    @Test
    void cacheLaidOutByPythonIsReusedWithoutDownloading() throws Exception {
        // the layout huggingface_hub's _hf_hub_download_to_cache_dir leaves, built by hand
        Path repoDir = cacheDir.resolve("models--HPAI-BSC--Qwen2.5-Aloe-Beta-7B");
        Files.createDirectories(repoDir.resolve("refs"));
        Files.writeString(repoDir.resolve("refs/main"), repo.commit);
        for (FakeHub.FakeFile f : repo.files.values()) {
            Path blob = repoDir.resolve("blobs").resolve(f.etag());
            Files.createDirectories(blob.getParent());
            Files.write(blob, f.content());
            Path pointer = repoDir.resolve("snapshots").resolve(repo.commit).resolve(f.path());
            Files.createDirectories(pointer.getParent());
            Files.createSymbolicLink(pointer, pointer.getParent().relativize(blob));
        }

        Snapshot snapshot = new Downloader(TestRepos.config(hub, cacheDir))
                .download(TestRepos.ALOE, "main", FileSelection.all(), DownloadListener.NONE);

        assertEquals(0, hub.totalBytesServed());
        assertTrue(hub.requests().stream().noneMatch(r -> r.path().contains("/resolve/")),
                "no per-file request when every blob is cached and verified");
        assertArrayEquals(repo.file(TestRepos.SHARD2).content(), Files.readAllBytes(snapshot.file(TestRepos.SHARD2)));
    }

    @Test
    void secondPullFetchesNothing() throws Exception {
        Downloader downloader = new Downloader(TestRepos.config(hub, cacheDir));
        downloader.download(TestRepos.ALOE, "main", FileSelection.all(), DownloadListener.NONE);
        long first = hub.totalBytesServed();
        hub.clearLog();

        DownloadPlan plan = downloader.plan(TestRepos.ALOE, "main", FileSelection.all());
        assertEquals(first, plan.totalBytes());
        assertEquals(0, plan.bytesToDownload());
        downloader.download(TestRepos.ALOE, "main", FileSelection.all(), DownloadListener.NONE);
        assertEquals(0, hub.totalBytesServed());
    }

    @Test
    void completeCacheIsUsableReadOnly() throws Exception {
        Downloader downloader = new Downloader(TestRepos.config(hub, cacheDir));
        downloader.download(TestRepos.ALOE, "main", FileSelection.all(), DownloadListener.NONE);
        List<Path> all;
        try (Stream<Path> s = Files.walk(cacheDir)) {
            all = s.filter(p -> !Files.isSymbolicLink(p)).toList();
        }
        all.forEach(p -> p.toFile().setWritable(false, false));
        try {
            // root ignores permissions: then a read-only cache cannot be simulated here
            Assumptions.assumeFalse(Files.isWritable(cacheDir.resolve(".locks")), "running as root");
            Snapshot s = downloader.download(TestRepos.ALOE, "main", FileSelection.all(), DownloadListener.NONE);
            assertArrayEquals(repo.file(TestRepos.SHARD1).content(), Files.readAllBytes(s.file(TestRepos.SHARD1)));
        } finally {
            all.forEach(p -> p.toFile().setWritable(true, false));
        }
    }

    @Test
    void includeGlobsSelectFilesLikeAllowPatterns() throws Exception {
        Snapshot s = new Downloader(TestRepos.config(hub, cacheDir)).download(TestRepos.ALOE, "main",
                FileSelection.including(List.of("*.json", "model-00001*")), DownloadListener.NONE);
        assertEquals(List.of("config.json", "tokenizer.json", TestRepos.SHARD1), s.paths());
        assertTrue(Files.exists(s.file(TestRepos.SHARD1)));
        assertFalse(Files.exists(s.file(TestRepos.SHARD2)));
        assertEquals(0, hub.bytesServed(repo.file(TestRepos.SHARD2).sha256()));
    }
}
