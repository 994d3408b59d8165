package org.aloe4j.generation;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.aloe4j.model.Architecture;
import org.aloe4j.model.KVCache;
import org.aloe4j.model.LoadedModel;
import org.aloe4j.model.ModelConfig;
import org.aloe4j.model.ModelLoader;
import org.aloe4j.model.Transformer;
import org.aloe4j.template.ChatTemplate;
import org.aloe4j.tokenizer.StreamingDecoder;
import org.aloe4j.tokenizer.Tokenizer;
import org.aloe4j.tokenizer.Tokenizers;

/**
 * The local engine behind {@link LanguageModel}: a model file, its tokenizer and chat template, and the generation
 * loop (sampling, stop tokens and strings, streaming, cancellation, usage).
 *
 * <p>Calls are serialised (one sequence at a time; the server batches sequences with {@link Transformer} directly).
 * The KV cache of the last call is kept: a conversation that grows turn by turn only processes its new tokens.
 */
public final class LocalModel implements LanguageModel {
    private final LoadedModel loaded;
    private final Transformer transformer;
    private final Tokenizer tokenizer;
    private final ChatFormatter formatter;
    private final ModelFamily family;
    private final int contextLength;
    private final int[] stopTokenIds;

    // Prefix cache: cachedTokens[0..cachedLength) are the tokens whose keys/values are in `cache`.
    private KVCache cache;
    private int[] cachedTokens;
    private int cachedLength;

    /** Options for opening a model; contextLength 0 means min(model maximum, 4096). */
    public record Options(int contextLength) {
        public static Options defaults() {
            return new Options(0);
        }
    }

    private LocalModel(LoadedModel loaded, Tokenizer tokenizer, ChatTemplate template, Options options) {
        this.loaded = loaded;
        this.transformer = new Transformer(loaded.config(), loaded.weights());
        this.tokenizer = tokenizer;
        this.formatter = template == null ? null : new ChatFormatter(tokenizer, template);
        ModelConfig c = loaded.config();
        this.family = c.architecture() == Architecture.QWEN2 ? ModelFamily.QWEN2 : ModelFamily.LLAMA;
        int max = c.contextLength();
        this.contextLength = options.contextLength() > 0 ? Math.min(options.contextLength(), max) : Math.min(max, 4096);
        this.stopTokenIds = stopTokens(c, tokenizer, family);
    }

    /** Opens a GGUF file or a Hugging Face model directory. */
    public static LocalModel open(Path path, Options options) {
        LoadedModel m = ModelLoader.load(path);
        try {
            Tokenizer tok;
            ChatTemplate template = null;
            if (m.ggufMetadata() != null) {
                tok = Tokenizers.fromGGUFMetadata(m.ggufMetadata(), path);
                Object t = m.ggufMetadata().get("tokenizer.chat_template");
                if (t instanceof String s && !s.isBlank()) {
                    template = ChatTemplate.of(s);
                }
            } else {
                tok = Tokenizers.fromHfDirectory(m.hfDirectory());
                Path tc = m.hfDirectory().resolve("tokenizer_config.json");
                if (Files.isRegularFile(tc)) {
                    template = ChatTemplate.fromTokenizerConfig(tc);
                }
            }
            return new LocalModel(m, tok, template, options);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    public static LocalModel open(Path path) {
        return open(path, Options.defaults());
    }

    private static int[] stopTokens(ModelConfig c, Tokenizer tok, ModelFamily family) {
        List<Integer> ids = new ArrayList<>();
        for (int id : c.eosIds()) {
            ids.add(id);
        }
        if (tok.eosId() >= 0) {
            ids.add(tok.eosId());
        }
        for (String s : AloeDefaults.stopTokens(family)) {
            int id = tok.tokenId(s);
            if (id >= 0) {
                ids.add(id);
            }
        }
        return ids.stream().distinct().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public String name() {
        return loaded.config().name();
    }

    @Override
    public ModelFamily family() {
        return family;
    }

    public ModelConfig config() {
        return loaded.config();
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public Transformer transformer() {
        return transformer;
    }

    /** The chat formatter, or null when the model file has no chat template. */
    public ChatFormatter formatter() {
        return formatter;
    }

    public int contextLength() {
        return contextLength;
    }

    /** Token ids that end a reply: eos, the family's turn-end token, and config's eos ids. */
    public int[] stopTokenIds() {
        return stopTokenIds.clone();
    }

    /** The prompt tokens for a chat request (default system prompt applied, generation prompt added). */
    public int[] chatTokens(ChatRequest request) {
        if (formatter == null) {
            throw new IllegalStateException(name() + " has no chat template; use a raw prompt (complete/generate) instead");
        }
        return formatter.encode(request.effectiveMessages(AloeDefaults.SYSTEM_PROMPT), true, request.assistantPrefix());
    }

    @Override
    public GenerationResult chat(ChatRequest request, TokenSink sink) {
        return generate(chatTokens(request), request.sampling(), request.stop(), sink);
    }

    @Override
    public GenerationResult complete(String prompt, SamplingSettings sampling, List<String> stop, TokenSink sink) {
        return generate(promptTokens(prompt), sampling, stop, sink);
    }

    /** A raw prompt's tokens: special tokens in the text are parsed; BOS added when the tokenizer asks for it. */
    public int[] promptTokens(String prompt) {
        int[] ids = tokenizer.encode(prompt, true);
        if (tokenizer.addBos() && tokenizer.bosId() >= 0 && (ids.length == 0 || ids[0] != tokenizer.bosId())) {
            int[] withBos = new int[ids.length + 1];
            withBos[0] = tokenizer.bosId();
            System.arraycopy(ids, 0, withBos, 1, ids.length);
            return withBos;
        }
        return ids;
    }

    /**
     * The generation loop. Samples until a stop token, a stop string, max new tokens, the end of the context, or
     * cancellation by the sink. {@code sampling} null means the model card's defaults for this family.
     */
    public synchronized GenerationResult generate(int[] prompt, SamplingSettings sampling, List<String> stop, TokenSink sink) {
        SamplingSettings s = sampling != null ? sampling : AloeDefaults.sampling(family);
        TokenSink out = sink != null ? sink : TokenSink.NONE;
        if (prompt.length == 0) {
            throw new IllegalArgumentException("empty prompt");
        }
        if (prompt.length >= contextLength) {
            throw new IllegalArgumentException("prompt of " + prompt.length + " tokens does not fit the context of "
                    + contextLength + " tokens");
        }
        float[] logits = prefillReusingCache(prompt);
        Sampler sampler = new Sampler(s);
        TokenSet history = new TokenSet(transformer.config().vocabSize());
        for (int t : prompt) {
            history.add(t);
        }
        StreamingDecoder decoder = tokenizer.streamingDecoder();
        StopStrings stops = new StopStrings(stop == null ? List.of() : stop);
        StringBuilder text = new StringBuilder();
        int pos = prompt.length;
        int generated = 0;
        FinishReason reason = FinishReason.LENGTH;
        int[] one = new int[1];
        int[] onePos = new int[1];
        KVCache[] oneCache = {cache};
        boolean[] wantLogits = {true};
        while (generated < s.maxNewTokens()) {
            int next = sampler.sample(logits, logits.length, history);
            generated++;
            if (contains(stopTokenIds, next)) {
                reason = FinishReason.STOP;
                break;
            }
            history.add(next);
            String shown = stops.offer(decoder.push(next));
            text.append(shown);
            if (!out.onToken(shown, next)) {
                reason = FinishReason.CANCELLED;
                break;
            }
            if (stops.stopped()) {
                reason = FinishReason.STOP;
                break;
            }
            if (pos >= contextLength || generated >= s.maxNewTokens()) {
                break;
            }
            one[0] = next;
            onePos[0] = pos;
            transformer.forward(1, one, onePos, oneCache, wantLogits, logits);
            cachedTokens[pos++] = next;
            cachedLength = pos;
        }
        if (reason != FinishReason.STOP || !stops.stopped()) {
            String rest = stops.offer(decoder.flush()) + (stops.stopped() ? "" : stops.flush());
            if (!rest.isEmpty()) {
                text.append(rest);
                out.onToken(rest, -1);
            }
        }
        return new GenerationResult(text.toString(), reason, new Usage(prompt.length, generated));
    }

    /** Logits after each position of {@code tokens} (all positions, or only the last). */
    public synchronized float[][] logits(int[] tokens, boolean allPositions) {
        if (tokens.length == 0 || tokens.length > contextLength) {
            throw new IllegalArgumentException(tokens.length + " tokens: need 1.." + contextLength);
        }
        KVCache c = transformer.newCache(tokens.length);
        int n = tokens.length;
        int[] pos = new int[n];
        KVCache[] caches = new KVCache[n];
        boolean[] want = new boolean[n];
        for (int i = 0; i < n; i++) {
            pos[i] = i;
            caches[i] = c;
            want[i] = allPositions || i == n - 1;
        }
        int rows = allPositions ? n : 1;
        int vocab = transformer.config().vocabSize();
        float[] flat = new float[rows * vocab];
        transformer.forward(n, tokens, pos, caches, want, flat);
        float[][] out = new float[rows][];
        for (int r = 0; r < rows; r++) {
            out[r] = Arrays.copyOfRange(flat, r * vocab, (r + 1) * vocab);
        }
        return out;
    }

    @Override
    public synchronized double[] candidateLogprobs(ChatRequest request, List<String> candidates) {
        float[] logits = prefillReusingCache(chatTokens(request));
        double logZ = Sampler.logSumExp(logits, logits.length);
        double[] out = new double[candidates.size()];
        for (int i = 0; i < out.length; i++) {
            int[] ids = tokenizer.encode(candidates.get(i), false);
            out[i] = ids.length == 0 ? Double.NEGATIVE_INFINITY : logits[ids[0]] - logZ;
        }
        return out;
    }

    /** Runs the prompt, reusing the cached keys/values of its longest prefix already processed. */
    private float[] prefillReusingCache(int[] prompt) {
        if (cache == null) {
            cache = transformer.newCache(contextLength);
            cachedTokens = new int[contextLength];
            cachedLength = 0;
        }
        int common = 0;
        int limit = Math.min(cachedLength, prompt.length - 1); // the last prompt token is always run: its logits are needed
        while (common < limit && cachedTokens[common] == prompt[common]) {
            common++;
        }
        float[] logits = transformer.prefill(Arrays.copyOfRange(prompt, common, prompt.length), common, cache);
        System.arraycopy(prompt, common, cachedTokens, common, prompt.length - common);
        cachedLength = prompt.length;
        return logits;
    }

    private static boolean contains(int[] a, int v) {
        for (int x : a) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        loaded.close();
    }
}
