package org.aloe4j.hub;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What users pass as --model becomes a local path. */
class ModelLocatorTest {

    static final String GGUF_REPO = "bartowski/Qwen2.5-Aloe-Beta-7B-GGUF";

    @TempDir
    Path cacheDir;
    FakeHub hub;
    FakeHub.FakeRepo aloe;
    FakeHub.FakeRepo gguf;
    HubConfig config;

    @BeforeEach
    void start() throws Exception {
        hub = new FakeHub();
        aloe = TestRepos.aloe(hub);
        gguf = hub.publish(hub.addRepo(GGUF_REPO)
                .add("README.md", "# GGUF".getBytes(), false)
                .add("Qwen2.5-Aloe-Beta-7B-Q4_K_M.gguf", FakeHub.randomBytes(11, 400_000), true)
                .add("Qwen2.5-Aloe-Beta-7B-Q8_0.gguf", FakeHub.randomBytes(12, 600_000), true)
                .add("Q8_0/Qwen2.5-Aloe-Beta-7B-Q8_0-00001-of-00002.gguf", FakeHub.randomBytes(13, 300_000), true)
                .add("Q8_0/Qwen2.5-Aloe-Beta-7B-Q8_0-00002-of-00002.gguf", FakeHub.randomBytes(14, 300_000), true));
        config = TestRepos.config(hub, cacheDir);
    }

    @AfterEach
    void stop() throws Exception {
        hub.close();
    }

    @Test
    void existingFileOrFolderIsReturnedAsIs(@TempDir Path dir) throws Exception {
        Path file = Files.write(dir.resolve("model.gguf"), new byte[]{1});
        assertEquals(file, ModelLocator.resolve(file.toString(), config, DownloadListener.NONE));
        assertEquals(dir, ModelLocator.resolve(dir.toString(), config, DownloadListener.NONE));
        assertEquals(Optional.empty(), ModelLocator.plan(file.toString(), config));
        assertEquals(List.of(), hub.requests());
    }

    @Test
    void missingLocalFileIsNotMistakenForARepo() {
        HubException e = assertThrows(HubException.class,
                () -> ModelLocator.resolve("models/aloe.gguf", config, DownloadListener.NONE));
        assertEquals("model 'models/aloe.gguf' not found: it is neither an existing file or folder nor a hub model"
                + " id (ORG/NAME, or ORG/NAME:FILE.gguf for one GGUF file)", e.getMessage());
        assertEquals(List.of(), hub.requests());
    }

    @Test
    void repoIdPullsTheModelFilesAndReturnsTheSnapshotFolder() throws Exception {
        DownloadPlan plan = ModelLocator.plan(TestRepos.ALOE, config).orElseThrow();
        // config, tokenizer and both shards; not original/ (consolidated checkpoints the engine does not read)
        assertEquals(List.of("config.json", "tokenizer.json", TestRepos.SHARD1, TestRepos.SHARD2),
                plan.files().stream().map(RepoFile::path).toList());
        long expected = aloe.files.values().stream().filter(f -> !f.path().startsWith("original/"))
                .mapToLong(f -> f.content().length).sum();
        assertEquals(expected, plan.bytesToDownload());
        assertEquals("4 files, 1.7 MB, 1.7 MB to download", plan.summary());

        Path dir = ModelLocator.resolve(TestRepos.ALOE, config, DownloadListener.NONE);

        assertEquals(cacheDir.resolve("models--HPAI-BSC--Qwen2.5-Aloe-Beta-7B/snapshots/" + aloe.commit), dir);
        assertArrayEquals(aloe.file(TestRepos.SHARD2).content(), Files.readAllBytes(dir.resolve(TestRepos.SHARD2)));
        assertFalse(Files.exists(dir.resolve(TestRepos.NESTED)));
        assertEquals(expected, hub.totalBytesServed());
        assertEquals(0, ModelLocator.plan(TestRepos.ALOE, config).orElseThrow().bytesToDownload());
        assertEquals("4 files, 1.7 MB, all in the cache", ModelLocator.plan(TestRepos.ALOE, config).orElseThrow()
                .summary());
    }

    @Test
    void repoColonFileFetchesOnlyThatGguf() throws Exception {
        Path file = ModelLocator.resolve(GGUF_REPO + ":Qwen2.5-Aloe-Beta-7B-Q4_K_M.gguf", config,
                DownloadListener.NONE);
        assertArrayEquals(gguf.file("Qwen2.5-Aloe-Beta-7B-Q4_K_M.gguf").content(), Files.readAllBytes(file));
        assertEquals(400_000, hub.totalBytesServed());
    }

    @Test
    void splitGgufFetchesAllItsParts() throws Exception {
        String first = "Q8_0/Qwen2.5-Aloe-Beta-7B-Q8_0-00001-of-00002.gguf";
        assertEquals(600_000, ModelLocator.plan(GGUF_REPO + ":" + first, config).orElseThrow().totalBytes());
        Path file = ModelLocator.resolve(GGUF_REPO + ":" + first, config, DownloadListener.NONE);
        assertTrue(file.endsWith(first));
        assertTrue(Files.exists(file.resolveSibling("Qwen2.5-Aloe-Beta-7B-Q8_0-00002-of-00002.gguf")));
        assertEquals(600_000, hub.totalBytesServed());
    }

    @Test
    void ggufRepoWithoutAFileListsTheChoices() {
        HubException e = assertThrows(HubException.class,
                () -> ModelLocator.resolve(GGUF_REPO, config, DownloadListener.NONE));
        assertTrue(e.getMessage().startsWith(GGUF_REPO + " holds GGUF files, not a safetensors model; choose one: "
                + GGUF_REPO + ":Qwen2.5-Aloe-Beta-7B-Q4_K_M.gguf, "), e.getMessage());
        HubException missing = assertThrows(HubException.class,
                () -> ModelLocator.resolve(GGUF_REPO + ":Q2_K.gguf", config, DownloadListener.NONE));
        assertEquals(HubException.Reason.FILE_NOT_FOUND, missing.reason());
        assertTrue(missing.getMessage().startsWith("file 'Q2_K.gguf' not found in " + GGUF_REPO + "@main; it has: "),
                missing.getMessage());
    }

    @Test
    void specParsing() {
        assertEquals(new ModelLocator.HubSpec("HPAI-BSC/Llama3.1-Aloe-Beta-8B", "main", null),
                ModelLocator.HubSpec.parse("HPAI-BSC/Llama3.1-Aloe-Beta-8B").orElseThrow());
        assertEquals(new ModelLocator.HubSpec("a/b-GGUF", "v1.0", "x/y-Q4_K_M.gguf"),
                ModelLocator.HubSpec.parse("a/b-GGUF@v1.0:x/y-Q4_K_M.gguf").orElseThrow());
        assertTrue(ModelLocator.HubSpec.parse("just-a-name").isEmpty());
        assertTrue(ModelLocator.HubSpec.parse("a/b/c").isEmpty());
        assertTrue(ModelLocator.HubSpec.parse("../x").isEmpty());
    }
}
