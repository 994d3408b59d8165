package org.aloe4j.merge;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.aloe4j.formats.safetensors.SafeTensor;
import org.aloe4j.formats.safetensors.SafeTensorsDType;
import org.aloe4j.formats.safetensors.SafeTensorsModel;

/**
 * Checks that the input models fit together and decides, for every output tensor, its inputs and parameters —
 * all before anything is written, so that a missing tensor, a shape or dtype mismatch or a bad parameter stops the
 * merge at once with a message naming the tensor and the model.
 *
 * <p>Which tensors: for the task-arithmetic methods those of the base model (every other model must have exactly
 * the same names); for linear those of the first model. Shapes must match, except embedding matrices
 * ({@code embed_tokens}, {@code lm_head}) of different vocabulary sizes, handled as mergekit does: a model's larger
 * matrix is cut to the base's size (task arithmetic), or all are cut to their common top-left sub-matrix (linear).
 */
final class MergePlanner {
    private static final Pattern LAYER = Pattern.compile("(?:^|\\.)layers\\.(\\d+)\\.");

    /** One input model: its reference in the configuration, its weights, and whether it is the base model. */
    record Model(MergeConfig.InputModel entry, SafeTensorsModel weights, boolean isBase) {}

    private final MergeConfig config;
    private final String baseName;
    private final SafeTensorsModel base;
    private final List<Model> models;
    private final int layers;
    private final long seed;
    private final int chunkElements;
    private final List<String> warnings = new ArrayList<>();

    private MergePlanner(MergeConfig config, String baseName, SafeTensorsModel base, List<Model> models, int layers,
            long seed, int chunkElements) {
        this.config = config;
        this.baseName = baseName;
        this.base = base;
        this.models = List.copyOf(models);
        this.layers = layers;
        this.seed = seed;
        this.chunkElements = chunkElements;
    }

    /**
     * Plans a merge.
     *
     * @param base the base model's weights (null for linear)
     * @param models one per entry of {@code config.models()}, in that order
     * @param layers the number of transformer layers (for gradient parameters), or 0 to count them from the names
     */
    static MergePlan plan(MergeConfig config, SafeTensorsModel base, List<Model> models, int layers, long seed,
            int chunkElements) {
        if (models.size() != config.models().size()) {
            throw new IllegalArgumentException("one model per configuration entry");
        }
        MergePlanner p = new MergePlanner(config, config.baseModel(), base, models, layers, seed, chunkElements);
        List<MergePlan.PlannedTensor> tensors = config.method().usesBase() ? p.planTaskArithmetic() : p.planLinear();
        return new MergePlan(tensors, p.warnings);
    }

    private List<MergePlan.PlannedTensor> planTaskArithmetic() {
        List<Model> others = models.stream().filter(m -> !m.isBase()).toList();
        if (others.isEmpty()) {
            throw new MergeException("nothing to merge: 'models' lists only the base model " + baseName);
        }
        for (Model m : others) {
            for (String name : m.weights().names()) {
                if (base.tensor(name) == null) {
                    throw new MergeException("tensor '" + name + "' of model " + m.entry().model()
                            + " is not in the base model " + baseName);
                }
            }
        }
        int layerCount = layers > 0 ? layers : countLayers(base.names());
        List<MergePlan.PlannedTensor> out = new ArrayList<>();
        for (String name : sortedNames(base.names())) {
            SafeTensor b = base.tensor(name);
            checkFloat(b, baseName);
            double t = layerPosition(name, layerCount);
            List<TensorMergeTask.Input> inputs = new ArrayList<>();
            for (int j = 0; j < models.size(); j++) {
                Model m = models.get(j);
                if (m.isBase()) {
                    continue;
                }
                SafeTensor x = m.weights().tensor(name);
                if (x == null) {
                    throw new MergeException("model " + m.entry().model() + " has no tensor '" + name
                            + "' (the base model " + baseName + " has it)");
                }
                if (x.dtype() != b.dtype()) {
                    throw new MergeException("tensor '" + name + "': dtype " + x.dtype() + " in model "
                            + m.entry().model() + " differs from " + b.dtype() + " in the base model " + baseName);
                }
                FloatSource source;
                if (Arrays.equals(x.shape(), b.shape())) {
                    source = SafeTensorSource.of(x);
                } else if (isEmbedding(name) && x.rank() == 2 && b.rank() == 2 && x.dim(0) >= b.dim(0)
                        && x.dim(1) >= b.dim(1)) {
                    source = SafeTensorSource.subMatrix(x, b.dim(0), b.dim(1));
                    warnings.add("tensor '" + name + "': using the top-left " + Arrays.toString(b.shape())
                            + " sub-matrix of model " + m.entry().model() + "'s " + Arrays.toString(x.shape())
                            + " (embedding of a larger vocabulary, as mergekit does)");
                } else {
                    throw new MergeException("tensor '" + name + "': shape " + Arrays.toString(x.shape())
                            + " in model " + m.entry().model() + " differs from " + Arrays.toString(b.shape())
                            + " in the base model " + baseName);
                }
                double weight = number("weight", m.entry(), name, t, null);
                double density = number("density", m.entry(), name, t, 1.0);
                if (!(density > 0) || Double.isInfinite(density)) {
                    throw new MergeException("model " + m.entry().model() + ", tensor '" + name + "': density must be "
                            + "above 0, got " + density);
                }
                if (config.method().sparsification() == MergeMethod.Sparsification.MAGNITUDE && density < 1
                        && TensorMergeTask.magnitudeKeep(density, b.elements()) < 1) {
                    throw new MergeException("model " + m.entry().model() + ", tensor '" + name + "': density "
                            + density + " keeps no element of its " + b.elements());
                }
                inputs.add(new TensorMergeTask.Input(source, weight, density, j));
            }
            boolean normalize = bool("normalize", name, t, config.method().defaultNormalize());
            boolean rescale = bool("rescale", name, t, config.method().defaultRescale());
            bool("int8_mask", name, t, false); // checked only: the mask's storage type changes no value
            double lambda = number("lambda", null, name, t, 1.0);
            TensorMergeTask task = new TensorMergeTask(name, config.method(), SafeTensorSource.of(b), inputs,
                    normalize, rescale, lambda, seed, chunkElements);
            out.add(new MergePlan.PlannedTensor(name, outputType(b.dtype()), b.shape(), task));
        }
        return out;
    }

    private List<MergePlan.PlannedTensor> planLinear() {
        if (baseName != null && models.stream().noneMatch(Model::isBase)) {
            throw new MergeException("linear merges the listed models only: base_model " + baseName
                    + " is not among 'models' (list it there with a weight, or drop base_model)");
        }
        SafeTensorsModel first = models.get(0).weights();
        String firstName = models.get(0).entry().model();
        for (Model m : models) {
            for (String name : m.weights().names()) {
                if (first.tensor(name) == null) {
                    throw new MergeException("tensor '" + name + "' of model " + m.entry().model()
                            + " is not in model " + firstName);
                }
            }
        }
        int layerCount = layers > 0 ? layers : countLayers(first.names());
        List<MergePlan.PlannedTensor> out = new ArrayList<>();
        for (String name : sortedNames(first.names())) {
            SafeTensor f = first.tensor(name);
            checkFloat(f, firstName);
            double t = layerPosition(name, layerCount);
            List<SafeTensor> xs = new ArrayList<>();
            boolean sameShape = true;
            for (Model m : models) {
                SafeTensor x = m.weights().tensor(name);
                if (x == null) {
                    throw new MergeException("model " + m.entry().model() + " has no tensor '" + name
                            + "' (model " + firstName + " has it)");
                }
                if (x.dtype() != f.dtype()) {
                    throw new MergeException("tensor '" + name + "': dtype " + x.dtype() + " in model "
                            + m.entry().model() + " differs from " + f.dtype() + " in model " + firstName);
                }
                sameShape &= Arrays.equals(x.shape(), f.shape());
                xs.add(x);
            }
            long[] shape = f.shape();
            if (!sameShape) {
                boolean all2d = xs.stream().allMatch(x -> x.rank() == 2);
                if (!isEmbedding(name) || !all2d) {
                    SafeTensor odd = xs.stream().filter(x -> !Arrays.equals(x.shape(), f.shape())).findFirst().get();
                    String oddModel = models.get(xs.indexOf(odd)).entry().model();
                    throw new MergeException("tensor '" + name + "': shape " + Arrays.toString(odd.shape())
                            + " in model " + oddModel + " differs from " + Arrays.toString(f.shape()) + " in model "
                            + firstName);
                }
                shape = new long[] {xs.stream().mapToLong(x -> x.dim(0)).min().getAsLong(),
                        xs.stream().mapToLong(x -> x.dim(1)).min().getAsLong()};
                warnings.add("tensor '" + name + "': embeddings of different sizes, using their common top-left "
                        + Arrays.toString(shape) + " sub-matrix (as mergekit does)");
            }
            List<TensorMergeTask.Input> inputs = new ArrayList<>();
            double weightSum = 0;
            for (int j = 0; j < models.size(); j++) {
                SafeTensor x = xs.get(j);
                FloatSource source = sameShape ? SafeTensorSource.of(x) : SafeTensorSource.subMatrix(x, shape[0], shape[1]);
                double weight = number("weight", models.get(j).entry(), name, t, null);
                weightSum += (float) weight;
                inputs.add(new TensorMergeTask.Input(source, weight, 1.0, j));
            }
            boolean normalize = bool("normalize", name, t, true);
            if (normalize && (float) weightSum == 0f) {
                throw new MergeException("tensor '" + name + "': the weights sum to 0, so they cannot be normalized "
                        + "(set normalize: false)");
            }
            TensorMergeTask task = new TensorMergeTask(name, MergeMethod.LINEAR, null, inputs, normalize, false, 1.0,
                    seed, chunkElements);
            out.add(new MergePlan.PlannedTensor(name, outputType(f.dtype()), shape, task));
        }
        return out;
    }

    private SafeTensorsDType outputType(SafeTensorsDType input) {
        if (config.outDtype() != null) {
            return OutputDType.byName(config.outDtype());
        }
        if (config.dtype() != null) {
            return OutputDType.byName(config.dtype());
        }
        return input;
    }

    private static void checkFloat(SafeTensor t, String model) {
        if (!ElementCodec.isSupported(t.dtype())) {
            throw new MergeException("tensor '" + t.name() + "' of model " + model + " has dtype " + t.dtype()
                    + "; aloe merge merges F32, F16 and BF16 tensors only");
        }
    }

    private double number(String param, MergeConfig.InputModel model, String tensor, double t, Double fallback) {
        Object v = config.parameter(param, model, tensor, t);
        if (v == null) {
            if (fallback == null) {
                throw new MergeException("model " + (model == null ? "?" : model.model()) + ": no '" + param
                        + "' for tensor '" + tensor + "' (set it in the model's parameters or the global ones)");
            }
            return fallback;
        }
        if (!(v instanceof Double d) || d.isNaN()) {
            throw new MergeException("parameter '" + param + "' for tensor '" + tensor + "' must be a number, got " + v);
        }
        return d;
    }

    private boolean bool(String param, String tensor, double t, boolean fallback) {
        Object v = config.parameter(param, null, tensor, t);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        // mergekit's pydantic reads 0/1 as booleans too
        if (v instanceof Double d && (d == 0 || d == 1)) {
            return d == 1;
        }
        throw new MergeException("parameter '" + param + "' for tensor '" + tensor + "' must be true or false, got " + v);
    }

    /** True for the token embedding and output matrices, whose row count is the vocabulary size. */
    static boolean isEmbedding(String name) {
        return name.endsWith("embed_tokens.weight") || name.equals("lm_head.weight") || name.endsWith(".lm_head.weight");
    }

    /** Where a tensor sits in the layer stack for gradient parameters: layer / (layers - 1); 0 outside layers. */
    static double layerPosition(String name, int layers) {
        Matcher m = LAYER.matcher(name);
        if (!m.find()) {
            return 0;
        }
        return layers > 1 ? Integer.parseInt(m.group(1)) / (double) (layers - 1) : 1;
    }

    private static int countLayers(Set<String> names) {
        int max = -1;
        for (String n : names) {
            Matcher m = LAYER.matcher(n);
            if (m.find()) {
                max = Math.max(max, Integer.parseInt(m.group(1)));
            }
        }
        return max + 1;
    }

    /** Names in "natural" order (layer 2 before layer 10), so that shards hold consecutive layers. */
    static List<String> sortedNames(Set<String> names) {
        List<String> list = new ArrayList<>(new LinkedHashSet<>(names));
        list.sort(NATURAL);
        return list;
    }

    private static final Comparator<String> NATURAL = (a, b) -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char ca = a.charAt(i);
            char cb = b.charAt(j);
            if (Character.isDigit(ca) && Character.isDigit(cb)) {
                int si = i;
                int sj = j;
                while (i < a.length() && Character.isDigit(a.charAt(i))) {
                    i++;
                }
                while (j < b.length() && Character.isDigit(b.charAt(j))) {
                    j++;
                }
                String na = a.substring(si, i).replaceFirst("^0+(?=.)", "");
                String nb = b.substring(sj, j).replaceFirst("^0+(?=.)", "");
                int c = na.length() != nb.length() ? Integer.compare(na.length(), nb.length()) : na.compareTo(nb);
                if (c != 0) {
                    return c;
                }
            } else {
                if (ca != cb) {
                    return Character.compare(ca, cb);
                }
                i++;
                j++;
            }
        }
        int c = Integer.compare(a.length() - i, b.length() - j);
        return c != 0 ? c : a.compareTo(b);
    };
}
