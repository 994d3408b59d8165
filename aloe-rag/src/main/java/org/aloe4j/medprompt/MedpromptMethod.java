package org.aloe4j.medprompt;

import java.nio.file.Path;
import java.util.List;
import org.aloe4j.eval.data.Question;
import org.aloe4j.eval.method.EvalMethod;
import org.aloe4j.eval.method.ItemOutcome;
import org.aloe4j.eval.method.MethodOptions;
import org.aloe4j.generation.LanguageModel;
import org.aloe4j.rag.medprompt.KnowledgeBase;
import org.aloe4j.rag.medprompt.Reranker;

/**
 * Medprompt as an eval method ({@code aloe eval --method medprompt --kb INDEX}): the ensemble size is the options'
 * {@code samples}; the method parameters {@value #KB} (knowledge-base directory, required), {@value #K},
 * {@value #SHUFFLE} (true/false), {@value #RERANK_URL} + {@value #RERANK_MODEL} and {@value #N_RANK} set the rest.
 * The benchmark's own exemplars are not used (the knowledge base gives the examples). Closing it closes the
 * knowledge base it opened.
 */
public final class MedpromptMethod implements EvalMethod, AutoCloseable {

    public static final String NAME = "medprompt";
    public static final String KB = "kb";
    public static final String K = "k";
    public static final String SHUFFLE = "shuffle";
    public static final String RERANK_URL = "rerank-url";
    public static final String RERANK_MODEL = "rerank-model";
    public static final String N_RANK = "n-rank";
    /** Environment variable with the reranker's API key, if it needs one. */
    public static final String RERANK_API_KEY_ENV = "ALOE_RERANK_API_KEY";

    private final KnowledgeBase knowledgeBase;
    private final boolean ownsKnowledgeBase;
    private final Medprompt medprompt;

    /** Over an open knowledge base (not closed by {@link #close()}). */
    public MedpromptMethod(KnowledgeBase knowledgeBase, MedpromptSettings settings, MethodOptions options) {
        this(knowledgeBase, false, settings, options);
    }

    private MedpromptMethod(KnowledgeBase kb, boolean owns, MedpromptSettings settings, MethodOptions options) {
        this.knowledgeBase = kb;
        this.ownsKnowledgeBase = owns;
        this.medprompt = new Medprompt(kb, settings, options);
    }

    /** Reads the settings from {@code options} and opens the knowledge base they name. */
    public static MedpromptMethod open(MethodOptions options) {
        MedpromptSettings settings = settings(options);
        String kb = options.parameters().get(KB);
        if (kb == null || kb.isBlank()) {
            throw new IllegalArgumentException("medprompt needs a knowledge base: --kb INDEX (made by aloe medprompt "
                    + "build or aloe medprompt import)");
        }
        KnowledgeBase base = KnowledgeBase.open(Path.of(kb));
        if (base.size() == 0 && settings.k() > 0) {
            base.close();
            throw new IllegalArgumentException("medprompt: the knowledge base " + kb + " holds no example");
        }
        return new MedpromptMethod(base, true, settings, options);
    }

    /** The Medprompt settings named by {@code options} (defaults for what is not given). */
    public static MedpromptSettings settings(MethodOptions options) {
        int k = integer(options, K, MedpromptSettings.DEFAULT_K);
        int nRank = integer(options, N_RANK, MedpromptSettings.DEFAULT_N_RANK);
        String shuffle = options.parameter(SHUFFLE, "true");
        if (!shuffle.equals("true") && !shuffle.equals("false")) {
            throw new IllegalArgumentException("medprompt: shuffle must be true or false, got " + shuffle);
        }
        String url = options.parameters().get(RERANK_URL);
        String model = options.parameters().get(RERANK_MODEL);
        if ((url == null) != (model == null)) {
            throw new IllegalArgumentException("medprompt: a reranker needs both --rerank-url and --rerank-model");
        }
        Reranker reranker = url == null ? null : new HttpReranker(url, model, System.getenv(RERANK_API_KEY_ENV));
        return new MedpromptSettings(k, options.samples(), Boolean.parseBoolean(shuffle), reranker, nRank);
    }

    private static int integer(MethodOptions options, String name, int fallback) {
        String v = options.parameters().get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("medprompt: " + name + " must be a whole number, got '" + v + "'");
        }
    }

    public Medprompt medprompt() {
        return medprompt;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ItemOutcome answer(LanguageModel model, Question q, List<Question> exemplars) {
        return medprompt.answer(model, q).outcome();
    }

    @Override
    public void close() {
        if (ownsKnowledgeBase) {
            knowledgeBase.close();
        }
    }
}
