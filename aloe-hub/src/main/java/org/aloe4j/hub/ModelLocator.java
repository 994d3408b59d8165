package org.aloe4j.hub;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns what users pass as {@code --model} into a local path:
 *
 * <ul>
 *   <li>an existing file or directory: itself;</li>
 *   <li>{@code ORG/NAME} (optionally {@code ORG/NAME@REVISION}): the cached snapshot folder of that repository, pulled
 *       first if needed, with the files a model needs ({@link #MODEL_FILES}: config, tokenizer, safetensors; not
 *       {@code original/} checkpoints or other formats);</li>
 *   <li>{@code ORG/NAME:FILE.gguf}: that one file of a GGUF repository (all its parts when it is split as
 *       {@code -00001-of-0000N.gguf}).</li>
 * </ul>
 *
 * {@link #plan} tells beforehand how much would be downloaded, so a caller can say "this will download 15.2 GB".
 * Blobs already in the cache are checked by size here (a start-up must not re-hash many GB); {@code aloe pull}
 * checks their hashes.
 */
public final class ModelLocator {

    /** The files of a safetensors model repository that loading the model needs. */
    public static final FileSelection MODEL_FILES = new FileSelection(
            List.of("*.json", "*.safetensors", "*.txt", "*.model", "*.jinja", "*.tiktoken"),
            List.of("original/*"));

    private static final Pattern SPEC = Pattern.compile(
            "([A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*)(?:@([^:]+))?(?::(.+))?");
    private static final Pattern SPLIT_GGUF = Pattern.compile("(.*)-(\\d{5})-of-(\\d{5})\\.gguf");

    /**
     * A hub model reference.
     *
     * @param repoId {@code ORG/NAME}
     * @param revision branch, tag or commit ({@code main} unless given after {@code @})
     * @param file one file of the repository (after {@code :}), or {@code null} for the whole model
     */
    public record HubSpec(String repoId, String revision, String file) {

        /** Parses {@code ORG/NAME[@REVISION][:FILE]}, or returns empty when the text has another form. */
        public static Optional<HubSpec> parse(String spec) {
            Matcher m = SPEC.matcher(spec.strip());
            if (!m.matches() || !HubCache.isRepoId(m.group(1))) {
                return Optional.empty();
            }
            return Optional.of(new HubSpec(m.group(1), m.group(2) == null ? "main" : m.group(2), m.group(3)));
        }
    }

    private ModelLocator() {
    }

    /** {@link #resolve(String, HubConfig, DownloadListener)} with the environment's configuration, silently. */
    public static Path resolve(String spec) throws IOException {
        return resolve(spec, HubConfig.fromEnvironment(), DownloadListener.NONE);
    }

    /** The local path for {@code spec}, downloading into the cache what is missing. */
    public static Path resolve(String spec, HubConfig config, DownloadListener listener) throws IOException {
        Optional<Path> local = existingPath(spec);
        if (local.isPresent()) {
            return local.get();
        }
        HubSpec hub = hubSpec(spec);
        Downloader downloader = new Downloader(config).withVerification(Downloader.Verification.SIZE);
        RepoListing listing = downloader.listing(hub.repoId(), hub.revision());
        Snapshot snapshot = downloader.download(listing, filesFor(hub, listing), listener);
        return hub.file() == null ? snapshot.dir() : snapshot.file(hub.file());
    }

    /**
     * What {@link #resolve} would download for {@code spec}: empty for a local path, else the plan (with
     * {@link DownloadPlan#bytesToDownload()} 0 when everything is cached).
     */
    public static Optional<DownloadPlan> plan(String spec, HubConfig config) throws IOException {
        if (existingPath(spec).isPresent()) {
            return Optional.empty();
        }
        HubSpec hub = hubSpec(spec);
        Downloader downloader = new Downloader(config);
        RepoListing listing = downloader.listing(hub.repoId(), hub.revision());
        return Optional.of(downloader.plan(listing, filesFor(hub, listing)));
    }

    /**
     * The files {@code hub} stands for in this listing: {@link #MODEL_FILES} for a whole model, the named file (with
     * its sibling parts for a split GGUF) otherwise; a clear error when the file or a model is not there.
     */
    public static FileSelection filesFor(HubSpec hub, RepoListing listing) throws HubException {
        if (hub.file() == null) {
            boolean hasWeights = listing.files().stream().anyMatch(f -> f.path().endsWith(".safetensors"));
            List<String> ggufs = ggufFiles(listing);
            if (!hasWeights && !ggufs.isEmpty()) {
                throw new HubException(HubException.Reason.FILE_NOT_FOUND, hub.repoId() + " holds GGUF files, not a"
                        + " safetensors model; choose one: " + choices(hub, ggufs));
            }
            return MODEL_FILES;
        }
        if (listing.file(hub.file()).isEmpty()) {
            List<String> ggufs = ggufFiles(listing);
            throw new HubException(HubException.Reason.FILE_NOT_FOUND, "file '" + hub.file() + "' not found in "
                    + hub.repoId() + "@" + hub.revision() + (ggufs.isEmpty() ? "" : "; it has: " + choices(hub, ggufs)));
        }
        Matcher m = SPLIT_GGUF.matcher(hub.file());
        if (m.matches()) {
            List<String> parts = new ArrayList<>();
            for (RepoFile f : listing.files()) {
                Matcher p = SPLIT_GGUF.matcher(f.path());
                if (p.matches() && p.group(1).equals(m.group(1)) && p.group(3).equals(m.group(3))) {
                    parts.add(f.path());
                }
            }
            return FileSelection.exactly(parts);
        }
        return FileSelection.exactly(List.of(hub.file()));
    }

    private static List<String> ggufFiles(RepoListing listing) {
        return listing.files().stream().map(RepoFile::path).filter(p -> p.endsWith(".gguf")).toList();
    }

    private static String choices(HubSpec hub, List<String> files) {
        List<String> shown = files.stream().limit(6).map(f -> hub.repoId() + ":" + f).toList();
        return String.join(", ", shown) + (files.size() > 6 ? ", ... (" + files.size() + " files)" : "");
    }

    private static Optional<Path> existingPath(String spec) {
        try {
            Path p = Path.of(spec.startsWith("~/") ? System.getProperty("user.home") + spec.substring(1) : spec);
            return Files.exists(p) ? Optional.of(p) : Optional.empty();
        } catch (InvalidPathException e) {
            return Optional.empty();
        }
    }

    private static HubSpec hubSpec(String spec) throws HubException {
        boolean looksLikePath = spec.startsWith("/") || spec.startsWith(".") || spec.startsWith("~")
                || spec.contains("\\") || (!spec.contains(":") && (spec.endsWith(".gguf")
                || spec.endsWith(".safetensors")));
        Optional<HubSpec> hub = looksLikePath ? Optional.empty() : HubSpec.parse(spec);
        if (hub.isEmpty()) {
            throw new HubException(HubException.Reason.FILE_NOT_FOUND, "model '" + spec + "' not found: it is neither"
                    + " an existing file or folder nor a hub model id (ORG/NAME, or ORG/NAME:FILE.gguf for one GGUF"
                    + " file)");
        }
        return hub.get();
    }
}
