package org.aloe4j.hub;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two pulls of one repository at the same time, as threads and as separate JVMs, end with a correct cache and fetch
 * each blob once. The fake hub holds every blob transfer until both pulls have listed the repository, so they really
 * contend for the same blobs.
 */
class ConcurrentPullTest {

    @TempDir
    Path cacheDir;
    FakeHub hub;
    FakeHub.FakeRepo repo;

    @BeforeEach
    void start() throws Exception {
        hub = new FakeHub();
        repo = TestRepos.aloe(hub);
        hub.throttle(64 * 1024, 5);   // transfers last long enough to overlap
        hub.holdBlobsUntilListings(2);
    }

    @AfterEach
    void stop() throws Exception {
        hub.close();
    }

    @Test
    void twoThreadsPullingTheSameRepo() throws Exception {
        HubConfig config = TestRepos.config(hub, cacheDir);
        Callable<Snapshot> pull = () -> new Downloader(config)
                .download(TestRepos.ALOE, "main", FileSelection.all(), DownloadListener.NONE);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Snapshot> a = pool.submit(pull);
            Future<Snapshot> b = pool.submit(pull);
            assertEquals(a.get(20, TimeUnit.SECONDS).dir(), b.get(20, TimeUnit.SECONDS).dir());
        } finally {
            pool.shutdownNow();
        }
        assertCacheComplete();
        assertEachBlobServedOnce();
    }

    @Test
    void twoProcessesPullingTheSameRepo() throws Exception {
        List<Process> processes = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            processes.add(new ProcessBuilder(javaBin(), "-cp", testClassPath(), PullProcessMain.class.getName(),
                    hub.endpoint().toString(), cacheDir.toString(), TestRepos.ALOE)
                    .redirectErrorStream(true).start());
        }
        for (Process p : processes) {
            assertTrue(p.waitFor(25, TimeUnit.SECONDS), "pull process did not finish");
            String out = new String(p.getInputStream().readAllBytes());
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.strip().endsWith(repo.commit), out);
        }
        assertCacheComplete();
        assertEachBlobServedOnce();
    }

    private void assertCacheComplete() throws Exception {
        HubCache cache = new HubCache(cacheDir);
        for (FakeHub.FakeFile f : repo.files.values()) {
            assertArrayEquals(f.content(), Files.readAllBytes(cache.blob(TestRepos.ALOE, f.etag())), f.path());
            Path pointer = cache.pointer(TestRepos.ALOE, repo.commit, f.path());
            assertTrue(Files.isSymbolicLink(pointer), f.path());
            assertArrayEquals(f.content(), Files.readAllBytes(pointer), f.path());
        }
        assertEquals(repo.commit, Files.readString(cache.repoFolder(TestRepos.ALOE).resolve("refs/main")));
        try (Stream<Path> s = Files.walk(cacheDir)) {
            assertEquals(List.of(), s.map(Path::toString)
                    .filter(p -> p.endsWith(".incomplete") || p.endsWith(".tmp")).toList());
        }
    }

    private void assertEachBlobServedOnce() {
        // both pulls listed the repo (so they overlapped), yet with the per-blob locks each blob came once
        long listings = hub.requests().stream().filter(r -> r.path().startsWith("/api/models/")).count();
        assertEquals(2, listings);
        for (FakeHub.FakeFile f : repo.files.values()) {
            assertEquals(f.content().length, hub.bytesServed(f.etag()), f.path());
        }
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String testClassPath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
    }
}
