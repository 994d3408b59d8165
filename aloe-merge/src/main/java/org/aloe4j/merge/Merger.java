package org.aloe4j.merge;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import org.aloe4j.formats.ModelFormatException;
import org.aloe4j.formats.safetensors.SafeTensorsModel;
import org.aloe4j.formats.safetensors.SafeTensorsWriter;

/**
 * Runs a merge end to end: resolves and opens the input models, plans and checks every tensor, streams the merged
 * tensors into sharded safetensors (with the index), copies config.json and the tokenizer files, writes a README
 * that records the merge, all in a temporary sibling directory that is renamed to the target only when complete.
 * On any failure the temporary directory is removed and the target is not created.
 *
 * <pre>{@code
 * MergeResult r = Merger.merge(MergeConfig.read(yaml), Path.of("out"), MergeOptions.defaults().withSeed(7));
 * }</pre>
 */
public final class Merger {
    static final String CONFIG_COPY = "mergekit_config.yml";
    static final String README = "README.md";

    /** Called before each tensor is written (tests use it to fail a merge half-way). */
    @FunctionalInterface
    interface TensorHook {
        void beforeTensor(String name) throws IOException;
    }

    private Merger() {}

    /** Merges as {@code config} says into the new directory {@code outputDir} (which must not exist). */
    public static MergeResult merge(MergeConfig config, Path outputDir, MergeOptions options) {
        return merge(config, outputDir, options, name -> {});
    }

    static MergeResult merge(MergeConfig config, Path outputDir, MergeOptions options, TensorHook hook) {
        long t0 = System.nanoTime();
        Path target = outputDir.toAbsolutePath().normalize();
        if (Files.exists(target)) {
            throw new MergeException("output " + target + " already exists");
        }
        Path basePath = config.baseModel() == null ? null : HfModelFiles.resolve(config.baseModel(), options.configDir());
        List<Path> modelPaths = new ArrayList<>();
        for (MergeConfig.InputModel m : config.models()) {
            modelPaths.add(HfModelFiles.resolve(m.model(), options.configDir()));
        }
        Map<Path, SafeTensorsModel> opened = new LinkedHashMap<>();
        try {
            SafeTensorsModel base = basePath == null ? null : open(opened, basePath, config.baseModel());
            List<MergePlanner.Model> models = new ArrayList<>();
            List<MergeReadme.Input> readmeInputs = new ArrayList<>();
            if (basePath != null) {
                readmeInputs.add(new MergeReadme.Input(config.baseModel(), basePath.toString(), true));
            }
            for (int j = 0; j < config.models().size(); j++) {
                MergeConfig.InputModel entry = config.models().get(j);
                Path p = modelPaths.get(j);
                boolean isBase = basePath != null && (entry.model().equals(config.baseModel()) || p.equals(basePath));
                models.add(new MergePlanner.Model(entry, open(opened, p, entry.model()), isBase));
                if (!isBase) {
                    readmeInputs.add(new MergeReadme.Input(entry.model(), p.toString(), false));
                }
            }
            Path configSource = basePath != null ? basePath : modelPaths.get(0);
            String configSourceRef = basePath != null ? config.baseModel() : config.models().get(0).model();
            ObjectNode hfConfig = HfModelFiles.readConfig(configSource);
            Path donor = tokenizerDonor(config, options, configSource, configSourceRef);

            MergePlan plan = MergePlanner.plan(config, base, models, hfConfig.path("num_hidden_layers").asInt(0),
                    options.seed(), options.chunkElements());
            List<String> warnings = new ArrayList<>(plan.warnings());
            plan.warnings().forEach(options.log());
            String dtypeName = outputDtypeName(config, plan);
            if (config.outDtype() != null || config.dtype() != null) {
                hfConfig.put("torch_dtype", dtypeName);
            }
            for (MergePlan.PlannedTensor t : plan.tensors()) {
                if (t.name().endsWith("embed_tokens.weight") && hfConfig.has("vocab_size")
                        && hfConfig.get("vocab_size").asLong() != t.shape()[0]) {
                    String w = "config.json: vocab_size set to " + t.shape()[0] + " (the merged embedding's rows), was "
                            + hfConfig.get("vocab_size").asLong();
                    warnings.add(w);
                    options.log().accept(w);
                    hfConfig.put("vocab_size", t.shape()[0]);
                }
            }

            Path parent = target.getParent();
            Files.createDirectories(parent);
            Path temp = Files.createTempDirectory(parent, "." + target.getFileName() + ".partial-");
            boolean done = false;
            try {
                writeWeights(plan, temp, options, hook);
                HfModelFiles.writeConfig(hfConfig, temp);
                HfModelFiles.copyTokenizer(donor, temp);
                Files.writeString(temp.resolve(CONFIG_COPY), config.yaml(), StandardCharsets.UTF_8);
                Files.writeString(temp.resolve(README), MergeReadme.render(target.getFileName().toString(), config,
                        readmeInputs, options.seed(), dtypeName, plan.tensors().size(), plan.dataBytes(), warnings),
                        StandardCharsets.UTF_8);
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
                done = true;
            } finally {
                if (!done) {
                    HfModelFiles.deleteTree(temp);
                }
            }
            List<Path> files;
            try (Stream<Path> list = Files.list(target)) {
                files = new ArrayList<>(new TreeSet<>(list.toList()));
            }
            return new MergeResult(target, plan.tensors().size(), plan.dataBytes(), files, warnings,
                    Duration.ofNanos(System.nanoTime() - t0));
        } catch (IOException e) {
            throw new MergeException("writing " + target + ": " + e.getMessage(), e);
        } finally {
            opened.values().forEach(SafeTensorsModel::close);
        }
    }

    private static SafeTensorsModel open(Map<Path, SafeTensorsModel> opened, Path dir, String reference) {
        SafeTensorsModel m = opened.get(dir);
        if (m == null) {
            try {
                m = SafeTensorsModel.open(dir);
            } catch (ModelFormatException e) {
                throw new MergeException("model " + reference + ": " + e.getMessage(), e);
            }
            opened.put(dir, m);
        }
        return m;
    }

    private static Path tokenizerDonor(MergeConfig config, MergeOptions options, Path configSource, String sourceRef) {
        String ts = config.tokenizerSource();
        if (ts == null || ts.equals("base")) {
            HfModelFiles.checkTokenizer(configSource, sourceRef);
            return configSource;
        }
        if (ts.equals("union")) {
            throw new MergeException("tokenizer_source: union is not supported by aloe merge (it needs mergekit's "
                    + "embedding permutation); use base or a model with the same vocabulary");
        }
        Path donor = HfModelFiles.resolve(ts, options.configDir());
        HfModelFiles.checkTokenizer(donor, ts);
        HfModelFiles.checkSameVocabulary(donor, ts, configSource, sourceRef);
        return donor;
    }

    private static String outputDtypeName(MergeConfig config, MergePlan plan) {
        TreeSet<String> names = new TreeSet<>();
        for (MergePlan.PlannedTensor t : plan.tensors()) {
            names.add(OutputDType.torchName(t.dtype()));
        }
        return names.size() == 1 ? names.first() : String.join("/", names);
    }

    private static void writeWeights(MergePlan plan, Path dir, MergeOptions options, TensorHook hook)
            throws IOException {
        SafeTensorsWriter writer = new SafeTensorsWriter().putMetadata("format", "pt");
        ProgressBar bar = options.progress() ? new ProgressBarBuilder().setTaskName("aloe merge")
                .setInitialMax(plan.dataBytes()).setUnit(" MB", 1_000_000).setUpdateIntervalMillis(500)
                .setConsumer(new ConsoleProgressBarConsumer(System.err)).showSpeed().build() : null;
        try (ChunkPipeline pipeline = new ChunkPipeline(plan.tensors(), options.threads(), bytes -> {
            if (bar != null) {
                bar.stepBy(bytes);
            }
        })) {
            List<MergePlan.PlannedTensor> tensors = plan.tensors();
            for (int i = 0; i < tensors.size(); i++) {
                int index = i;
                MergePlan.PlannedTensor t = tensors.get(i);
                writer.add(t.name(), t.dtype(), t.shape(), out -> {
                    hook.beforeTensor(t.name());
                    pipeline.writeTensor(index, out);
                });
            }
            writer.writeSharded(dir, options.maxShardBytes());
        } finally {
            if (bar != null) {
                bar.close();
            }
        }
    }
}
