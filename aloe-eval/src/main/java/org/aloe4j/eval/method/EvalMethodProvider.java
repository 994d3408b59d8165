package org.aloe4j.eval.method;

/**
 * Plugs a method in from another module (Medprompt in aloe-rag): list the implementation in
 * {@code META-INF/services/org.aloe4j.eval.method.EvalMethodProvider} and {@code aloe eval --method NAME} finds it.
 */
public interface EvalMethodProvider {

    /** The method's command-line name, e.g. "medprompt". */
    String name();

    /** A method configured with the shared options (seed, samples = ensemble size, attempts, tie rule...). */
    EvalMethod create(MethodOptions options);
}
