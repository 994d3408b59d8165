package org.aloe4j.eval.method;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/** The methods {@code --method} accepts: the built-in ones and those plugged in by {@link EvalMethodProvider}. */
public final class EvalMethods {
    private EvalMethods() {}

    public static final List<String> BUILT_IN = List.of("loglik", "zero-shot", "cot", "sc-cot");

    public static List<String> names() {
        List<String> n = new ArrayList<>(BUILT_IN);
        for (EvalMethodProvider p : ServiceLoader.load(EvalMethodProvider.class)) {
            n.add(p.name());
        }
        return n;
    }

    public static EvalMethod create(String name, MethodOptions options) {
        switch (name) {
            case "loglik" -> {
                return new LoglikMethod(options);
            }
            case "zero-shot" -> {
                return new ZeroShotMethod(options);
            }
            case "cot" -> {
                return new CotMethod(options);
            }
            case "sc-cot" -> {
                return new SelfConsistencyCotMethod(options);
            }
            default -> {
                for (EvalMethodProvider p : ServiceLoader.load(EvalMethodProvider.class)) {
                    if (p.name().equals(name)) {
                        return p.create(options);
                    }
                }
                String hint = name.equals("medprompt")
                        ? " (Medprompt comes with the aloe-rag module, which is not on the class path yet)" : "";
                throw new IllegalArgumentException("unknown method '" + name + "'" + hint + "; available: "
                        + String.join(", ", names()));
            }
        }
    }
}
