package org.aloe4j.cli;

import org.aloe4j.hub.DownloadPlan;
import org.aloe4j.hub.Downloader;
import org.aloe4j.hub.FileSelection;
import org.aloe4j.hub.HubConfig;
import org.aloe4j.hub.HubException;
import org.aloe4j.hub.ModelLocator;
import org.aloe4j.hub.RepoFile;
import org.aloe4j.hub.RepoListing;
import org.aloe4j.hub.Snapshot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code aloe pull REPO [--revision R] [--include GLOB...]}: downloads a hub repository into the Hugging Face cache
 * shared with Python, and prints the local path on stdout.
 */
@Command(name = "pull", mixinStandardHelpOptions = true,
        description = {
                "Download a model from the Hugging Face hub into the Hugging Face cache (the one Python's"
                        + " huggingface_hub uses), resuming interrupted downloads and verifying every file.",
                "Prints the local path (the snapshot folder, or the file for ORG/NAME:FILE) on stdout.",
                "Environment: HF_ENDPOINT, HF_HOME, HF_HUB_CACHE, HF_TOKEN (gated repos), HF_HUB_OFFLINE=1."},
        footer = {"", "Examples:",
                "  aloe pull HPAI-BSC/Llama3.1-Aloe-Beta-8B",
                "  aloe pull HPAI-BSC/Qwen2.5-Aloe-Beta-7B --include '*.json' '*.safetensors'",
                "  aloe pull HPAI-BSC/Llama3.1-Aloe-Beta-70B --dry-run",
                "  aloe pull ORG/Qwen2.5-Aloe-Beta-7B-GGUF:Qwen2.5-Aloe-Beta-7B-Q4_K_M.gguf"})
final class PullCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "REPO",
            description = "ORG/NAME (whole repository), or ORG/NAME:FILE for one file such as a .gguf")
    String repo;

    @Option(names = "--revision", paramLabel = "R", description = "branch, tag or commit (default: main)")
    String revision;

    @Option(names = "--include", arity = "1..*", paramLabel = "GLOB",
            description = "only files matching these globs, e.g. '*.json' '*Q4_K_M*'")
    List<String> include = new ArrayList<>();

    @Option(names = "--exclude", arity = "1..*", paramLabel = "GLOB", description = "skip files matching these globs")
    List<String> exclude = new ArrayList<>();

    @Option(names = "--dry-run", description = "only list what would be downloaded and how much")
    boolean dryRun;

    @Option(names = "--verify", paramLabel = "HOW", defaultValue = "FULL",
            description = "how files already in the cache are checked: FULL (size and sha256, reads them) or SIZE"
                    + " (default: ${DEFAULT-VALUE}); downloaded files are always fully checked")
    Downloader.Verification verify;

    @Spec
    CommandSpec spec;

    private final Map<String, String> environment;

    PullCommand() {
        this(System.getenv());
    }

    /** With a given environment (tests). */
    PullCommand(Map<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Optional<ModelLocator.HubSpec> parsed = ModelLocator.HubSpec.parse(repo);
        if (parsed.isEmpty()) {
            err.println("aloe pull: '" + repo + "' is not a hub repository id (ORG/NAME or ORG/NAME:FILE)");
            return 2;
        }
        ModelLocator.HubSpec hub = parsed.get();
        String rev = revision != null ? revision : hub.revision();
        hub = new ModelLocator.HubSpec(hub.repoId(), rev, hub.file());
        HubConfig config = HubConfig.fromEnvironment(environment);
        Downloader downloader = new Downloader(config).withVerification(verify);
        try {
            RepoListing listing = downloader.listing(hub.repoId(), rev);
            FileSelection selection = hub.file() != null ? ModelLocator.filesFor(hub, listing)
                    : new FileSelection(include, exclude);
            if (dryRun) {
                DownloadPlan plan = downloader.plan(listing, selection);
                for (RepoFile f : plan.files()) {
                    out.println(f.path() + "\t" + DownloadPlan.formatBytes(f.size()));
                }
                out.println(plan.summary());
                return 0;
            }
            Snapshot snapshot;
            try (PullProgress progress = PullProgress.forStderr(err)) {
                snapshot = downloader.download(listing, selection, progress);
            }
            out.println(hub.file() != null ? snapshot.file(hub.file()) : snapshot.dir());
            return 0;
        } catch (HubException e) {
            err.println("aloe pull: " + e.getMessage());
            return 1;
        }
    }
}
