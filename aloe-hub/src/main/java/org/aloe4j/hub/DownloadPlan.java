package org.aloe4j.hub;

import java.util.List;
import java.util.Locale;

/**
 * What a download of a repository (or some of its files) involves, known before any byte is fetched, so a caller can
 * say "this will download 15.2 GB" first.
 *
 * @param repoId {@code ORG/NAME}
 * @param revision the branch, tag or commit asked for
 * @param commit the commit it resolved to
 * @param files the selected files
 * @param totalBytes the size of all selected files
 * @param cachedBytes bytes of selected files whose blobs are already in the cache (with the right size)
 * @param partialBytes bytes already in {@code .incomplete} files, which a resume will not fetch again
 */
public record DownloadPlan(String repoId, String revision, String commit, List<RepoFile> files, long totalBytes,
                           long cachedBytes, long partialBytes) {

    public DownloadPlan {
        files = List.copyOf(files);
    }

    /** How many bytes still have to come over the network. */
    public long bytesToDownload() {
        return totalBytes - cachedBytes - partialBytes;
    }

    /** Whether everything asked for is already in the cache. */
    public boolean isCached() {
        return bytesToDownload() == 0;
    }

    /** A one-line summary, e.g. {@code "4 files, 15.2 GB, 15.2 GB to download"}. */
    public String summary() {
        String s = files.size() + (files.size() == 1 ? " file, " : " files, ") + formatBytes(totalBytes);
        return isCached() ? s + ", all in the cache" : s + ", " + formatBytes(bytesToDownload()) + " to download";
    }

    /** Bytes in decimal units as the hub shows them: {@code 512 B}, {@code 3.4 MB}, {@code 15.2 GB}. */
    public static String formatBytes(long bytes) {
        if (bytes < 1000) {
            return bytes + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB", "PB"};
        double v = bytes;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
