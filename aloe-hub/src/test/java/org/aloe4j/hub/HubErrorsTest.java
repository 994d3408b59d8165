package org.aloe4j.hub;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Gated repos, tokens and not-found answers give clear one-line errors. */
class HubErrorsTest {

    static final String GATED = "HPAI-BSC/Llama3.1-Aloe-Beta-70B";

    @TempDir
    Path cacheDir;
    FakeHub hub;

    @BeforeEach
    void start() throws Exception {
        hub = new FakeHub();
        TestRepos.aloe(hub);
        FakeHub.FakeRepo gated = hub.addRepo(GATED)
                .add("config.json", "{}".getBytes(), false)
                .add("model-00001-of-00001.safetensors", FakeHub.randomBytes(7, 200_000), true);
        gated.requiredToken = "hf_granted";
        hub.publish(gated);
    }

    @AfterEach
    void stop() throws Exception {
        hub.close();
    }

    @Test
    void gatedRepoWithoutTokenSaysHowToSetHfToken() {
        HubException e = assertThrows(HubException.class, () -> new Downloader(TestRepos.config(hub, cacheDir))
                .download(GATED, "main", FileSelection.all(), DownloadListener.NONE));
        assertEquals(HubException.Reason.ACCESS_DENIED, e.reason());
        assertTrue(e.getMessage().startsWith(GATED + " is a gated repository (HTTP 401): request access at "
                + hub.endpoint() + "/" + GATED + ", then set HF_TOKEN=hf_..."), e.getMessage());
        assertTrue(e.getMessage().contains("(and 1 more file(s) failed)"), e.getMessage());
    }

    @Test
    void gatedRepoWithAWrongTokenSaysTheTokenLacksAccess() {
        HubConfig config = TestRepos.config(hub, cacheDir).withToken("hf_other");
        HubException e = assertThrows(HubException.class, () -> new Downloader(config)
                .download(GATED, "main", FileSelection.including(List.of("config.json")), DownloadListener.NONE));
        assertEquals(HubException.Reason.ACCESS_DENIED, e.reason());
        assertTrue(e.getMessage().contains("(HTTP 403)"), e.getMessage());
        assertTrue(e.getMessage().contains("the token in HF_TOKEN (or $HF_HOME/token) has not been granted access"),
                e.getMessage());
    }

    @Test
    void tokenGoesToTheHubButNeverToTheBlobStore() throws Exception {
        HubConfig config = TestRepos.config(hub, cacheDir).withToken("hf_granted");
        Snapshot s = new Downloader(config).download(GATED, "main", FileSelection.all(), DownloadListener.NONE);
        assertArrayEquals(FakeHub.randomBytes(7, 200_000),
                Files.readAllBytes(s.file("model-00001-of-00001.safetensors")));
        List<FakeHub.Request> log = hub.requests();
        assertTrue(log.stream().filter(r -> r.server().equals("hub"))
                .allMatch(r -> "Bearer hf_granted".equals(r.authorization())), log.toString());
        List<FakeHub.Request> store = log.stream().filter(r -> r.server().equals("store")).toList();
        assertEquals(1, store.size());
        assertNull(store.get(0).authorization());
    }

    @Test
    void tokenIsReadFromHfHomeTokenFile(@TempDir Path hfHome) throws Exception {
        Files.writeString(hfHome.resolve("token"), "hf_granted\n");
        HubConfig config = HubConfig.fromEnvironment(java.util.Map.of("HF_HOME", hfHome.toString(),
                "HF_ENDPOINT", hub.endpoint().toString()));
        assertEquals("hf_granted", config.token());
        assertEquals(hfHome.resolve("hub"), config.cacheDir());
        Snapshot s = new Downloader(config).download(GATED, "main", FileSelection.all(), DownloadListener.NONE);
        assertTrue(Files.exists(s.file("config.json")));
    }

    @Test
    void unknownRepoRevisionAndFile() {
        Downloader d = new Downloader(TestRepos.config(hub, cacheDir));
        HubException repo = assertThrows(HubException.class,
                () -> d.download("HPAI-BSC/No-Such-Model", "main", FileSelection.all(), DownloadListener.NONE));
        assertEquals(HubException.Reason.REPO_NOT_FOUND, repo.reason());
        assertTrue(repo.getMessage().startsWith("repository HPAI-BSC/No-Such-Model not found on " + hub.endpoint()),
                repo.getMessage());

        HubException rev = assertThrows(HubException.class,
                () -> d.download(TestRepos.ALOE, "v9", FileSelection.all(), DownloadListener.NONE));
        assertEquals(HubException.Reason.REVISION_NOT_FOUND, rev.reason());
        assertEquals("revision 'v9' not found in " + TestRepos.ALOE + " (" + hub.endpoint() + "/" + TestRepos.ALOE
                + ")", rev.getMessage());

        HubException file = assertThrows(HubException.class, () -> new HubClient(TestRepos.config(hub, cacheDir))
                .metadata(TestRepos.ALOE, "main", "missing.gguf"));
        assertEquals(HubException.Reason.FILE_NOT_FOUND, file.reason());
        assertEquals("file 'missing.gguf' not found in " + TestRepos.ALOE + " at revision 'main'", file.getMessage());

        HubException none = assertThrows(HubException.class, () -> d.download(TestRepos.ALOE, "main",
                FileSelection.including(List.of("*.gguf")), DownloadListener.NONE));
        assertEquals(HubException.Reason.FILE_NOT_FOUND, none.reason());
        assertTrue(none.getMessage().startsWith("no file of " + TestRepos.ALOE + "@main matches --include *.gguf"),
                none.getMessage());
    }
}
