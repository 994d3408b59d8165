package org.aloe4j.hub;

import java.net.URI;
import java.nio.file.Path;

/** A separate JVM that pulls a repository: {@code PullProcessMain ENDPOINT CACHE_DIR REPO}. Exit 0 on success. */
public final class PullProcessMain {

    private PullProcessMain() {
    }

    public static void main(String[] args) {
        try {
            HubConfig config = HubConfig.of(URI.create(args[0]), Path.of(args[1]));
            Snapshot s = new Downloader(config).download(args[2], "main", FileSelection.all(), DownloadListener.NONE);
            System.out.println(s.dir());
            System.exit(0);
        } catch (Exception e) {
            System.err.println("pull failed: " + e);
            System.exit(1);
        }
    }
}
