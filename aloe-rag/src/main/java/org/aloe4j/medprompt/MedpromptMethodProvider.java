package org.aloe4j.medprompt;

import org.aloe4j.eval.method.EvalMethod;
import org.aloe4j.eval.method.EvalMethodProvider;
import org.aloe4j.eval.method.MethodOptions;

/** Plugs {@link MedpromptMethod} into {@code aloe eval --method medprompt} (listed in META-INF/services). */
public final class MedpromptMethodProvider implements EvalMethodProvider {

    @Override
    public String name() {
        return MedpromptMethod.NAME;
    }

    @Override
    public EvalMethod create(MethodOptions options) {
        return MedpromptMethod.open(options);
    }
}
