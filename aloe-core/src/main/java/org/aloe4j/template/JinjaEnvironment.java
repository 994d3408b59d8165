package org.aloe4j.template;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.tree.Node;
import com.hubspot.jinjava.tree.output.RenderedOutputNode;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import jinjava.javax.el.CompositeELResolver;

/**
 * The one Jinjava set up to behave like the jinja2 environment of Hugging Face's {@code apply_chat_template}:
 * {@code ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)} with loopcontrols, HF's {@code tojson},
 * {@code raise_exception} and {@code strftime_now}, plus the Python behaviour Jinjava lacks (see the filter, test
 * and resolver classes). Immutable after class initialisation, so one instance serves every thread.
 *
 * <p>Checked against jinja2 3.1.6 ({@code src/test/resources/template/make_jinja2_expected.py}). Known differences
 * that remain, none of which the Qwen2.5 or Llama 3.1 templates meet with well-formed chats:
 * <ul>
 *   <li>Jinjava has one null for jinja2's None and Undefined. We treat it as Undefined where it is printed
 *       ({@code {{ x }}}, {@code ~}, {@code |string}, {@code |trim} give '' where jinja2 prints 'None' for a None),
 *       and {@code x is defined} is false for a key whose value is None (true in jinja2). Inside lists and dicts a
 *       None prints as None, as in Python;</li>
 *   <li>Jinjava's truth test holds the strings "false"/"False" false ({@code {% if 'false' %}}); Python holds
 *       every non-empty string true;</li>
 *   <li>not supported (the template fails to load or to render, never renders differently): {@code loop.previtem},
 *       {@code loop.nextitem}, {@code loop.changed()}, backslash-u, -x and -N escapes in template string literals,
 *       {@code 'a' * 3}, integer literals beyond 64 bits, slice steps other than {@code [::-1]};</li>
 *   <li>a negative index on a string ({@code s[-1]}) gives '' where Python gives the last character; an attribute
 *       of an undefined value is '' where jinja2 raises UndefinedError.</li>
 * </ul>
 */
final class JinjaEnvironment {
    private JinjaEnvironment() {}

    /**
     * Legacy overrides, each one checked to matter by the jinja2 probes (turn it off and a probe fails):
     * trimming for notes and expressions makes {@code {{- x }}} and {@code {#- c #}} strip whitespace as tags do
     * (without it the Qwen2.5 template is off); strict whitespace-control parsing reads {@code {{-1}}} as jinja2 does
     * (whitespace control, then 1); evaluated dict keys make {@code {k: 1}} use the variable k; iteration over map
     * keys makes {@code for k in dict} give keys; nullable loop values keep a None item from showing an outer
     * variable of the same name. Operator precedence is fixed by {@link PythonPrecedenceJinjava}, not by Jinjava's
     * "natural precedence", which mis-parses {@code not x is defined}. The other overrides changed no probe and stay
     * at Jinjava's defaults.
     */
    static final LegacyOverrides OVERRIDES = LegacyOverrides.newBuilder()
            .withUseTrimmingForNotesAndExpressions(true)
            .withParseWhitespaceControlStrictly(true)
            .withEvaluateMapKeys(true)
            .withIterateOverMapKeys(true)
            .withKeepNullableLoopValues(true)
            .build();

    static final JinjavaConfig CONFIG;
    static final Jinjava JINJAVA;

    static {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonMethodResolver());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
        CONFIG = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                // lstrip_blocks is done by TemplateSource: Jinjava's strips before tags in mid-line too.
                .withLstripBlocks(false)
                .withLegacyOverrides(OVERRIDES)
                // jinja2 drops the template's last newline (done by TemplateSource), never the output's.
                .withKeepTrailingNewline(true)
                // Jinjava 2.8 re-renders any expression output that contains "{{": user text must stay text.
                .withNestedInterpretationEnabled(false)
                .withElResolver(resolver)
                .withFailOnUnknownTokens(false)
                .build();
        JINJAVA = new PythonPrecedenceJinjava(CONFIG);
        Context global = JINJAVA.getGlobalContext();
        PythonFilters.all().forEach(global::registerFilter);
        PythonTests.all().forEach(global::registerExpTest);
        global.registerTag(new GenerationTag());
        global.registerFunction(function("raise_exception", "raiseException", String.class));
        global.registerFunction(function("strftime_now", "strftimeNow", String.class));
    }

    private static ELFunctionDefinition function(String name, String method, Class<?>... params) {
        return new ELFunctionDefinition("", name, JinjaEnvironment.class, method, params);
    }

    /** The thrown form of the template's own {@code raise_exception(message)}. */
    static final class RaisedByTemplate extends RuntimeException {
        RaisedByTemplate(String message) {
            super(message, null, false, false);
        }
    }

    /** {@code raise_exception(message)}: HF raises jinja2's TemplateError with the template's message. */
    public static String raiseException(String message) {
        throw new RaisedByTemplate(message);
    }

    /** {@code strftime_now(format)}: HF's {@code datetime.now().strftime(format)}. */
    public static String strftimeNow(String format) {
        return PythonStrftime.format(format, LocalDateTime.now());
    }

    /** Prints expression values as Python's str() would ({@code True}, {@code None} in lists, float repr). */
    private static final com.hubspot.jinjava.lib.expression.ExpressionStrategy PYTHON_OUTPUT = (token, interpreter) ->
            new RenderedOutputNode(PythonValues.print(interpreter.resolveELExpression(token.getExpr(),
                    token.getLineNumber())));

    /** Parses once; the returned tree is immutable and rendered by any number of threads. */
    static Node parse(String source, String name) {
        JinjavaInterpreter interpreter = newInterpreter(Map.of());
        interpreter.getContext().setExpressionStrategy(PYTHON_OUTPUT);
        JinjavaInterpreter.pushCurrent(interpreter);
        try {
            TemplateSource.Prepared prepared = TemplateSource.prepare(source);
            Node root = interpreter.parse(prepared.source());
            throwOnFatal(interpreter.getErrors(), name);
            // jinja2 rejects unknown filters and tests when it compiles; Jinjava would render them as nothing.
            Context global = JINJAVA.getGlobalContext();
            prepared.filters().forEach((filter, line) -> {
                if (global.getFilter(filter) == null) {
                    throw new TemplateException(name, "line " + line + ": no filter named '" + filter + "'");
                }
            });
            prepared.unsupported().forEach((feature, line) -> {
                throw new TemplateException(name, "line " + line + ": " + feature + " is not supported");
            });
            prepared.tests().forEach((test, line) -> {
                if (global.getExpTest(test) == null) {
                    throw new TemplateException(name, "line " + line + ": no test named '" + test + "'");
                }
            });
            return root;
        } finally {
            JinjavaInterpreter.popCurrent();
        }
    }

    static String render(Node root, Map<String, Object> bindings, String name) {
        JinjavaInterpreter interpreter = newInterpreter(bindings);
        JinjavaInterpreter.pushCurrent(interpreter);
        try {
            String out = interpreter.render(root, false);
            throwOnFatal(interpreter.getErrors(), name);
            return out;
        } catch (TemplateException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new TemplateException(name, oneLine(e.toString()), e);
        } finally {
            JinjavaInterpreter.popCurrent();
        }
    }

    private static JinjavaInterpreter newInterpreter(Map<String, ?> bindings) {
        Context context = new Context(JINJAVA.getGlobalContextCopy(), bindings, CONFIG.getDisabled());
        return new JinjavaInterpreter(JINJAVA, context, CONFIG);
    }

    /** A raise_exception anywhere wins; otherwise the first fatal error; warnings (unknown properties) are jinja2's
     *  silent Undefined and are ignored. */
    private static void throwOnFatal(List<TemplateError> errors, String name) {
        for (TemplateError error : errors) {
            for (Throwable t = error.getException(); t != null; t = t.getCause()) {
                if (t instanceof RaisedByTemplate raised) {
                    throw new TemplateException(name, "raise_exception: " + oneLine(raised.getMessage()), raised);
                }
            }
        }
        for (TemplateError error : errors) {
            if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                String where = error.getLineno() > 0 ? "line " + error.getLineno() + ": " : "";
                throw new TemplateException(name, where + oneLine(error.getMessage()), error.getException());
            }
        }
    }

    static String oneLine(String s) {
        return s == null ? "" : s.strip().replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }
}
