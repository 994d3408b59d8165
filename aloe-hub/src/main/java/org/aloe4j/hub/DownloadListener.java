package org.aloe4j.hub;

/**
 * Progress of a {@link Downloader} run. Methods may be called from several download threads at once, so
 * implementations must be thread-safe and cheap ({@link #transferred} is called for every chunk read).
 */
public interface DownloadListener {

    /** A listener that ignores everything. */
    DownloadListener NONE = new DownloadListener() {
    };

    /** Called once before any transfer starts, with the files and how many bytes must still come over the network. */
    default void planned(DownloadPlan plan) {
    }

    /** {@code bytes} new bytes of {@code file} arrived from the network. */
    default void transferred(RepoFile file, long bytes) {
    }

    /** {@code file} is in the snapshot (downloaded and verified now, or found in the cache). */
    default void completed(RepoFile file) {
    }

    /** Something the user should know, in one line (a corrupt cached blob re-fetched, a server ignoring Range). */
    default void notice(String message) {
    }
}
