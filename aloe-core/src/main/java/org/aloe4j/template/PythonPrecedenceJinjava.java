package org.aloe4j.template;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.el.ExtendedSyntaxBuilder;
import com.hubspot.jinjava.el.TruthyTypeConverter;
import com.hubspot.jinjava.el.ext.AdditionOperator;
import com.hubspot.jinjava.el.ext.ExtendedParser;
import com.hubspot.jinjava.el.ext.StringConcatOperator;
import com.hubspot.jinjava.objects.SafeString;
import java.util.Collection;
import jinjava.de.odysseus.el.misc.TypeConverter;
import jinjava.de.odysseus.el.ExpressionFactoryImpl;
import jinjava.de.odysseus.el.tree.TreeStore;
import jinjava.de.odysseus.el.tree.impl.Builder;
import jinjava.de.odysseus.el.tree.impl.Cache;
import jinjava.de.odysseus.el.tree.impl.Parser;
import jinjava.de.odysseus.el.tree.impl.Scanner;
import jinjava.de.odysseus.el.tree.impl.ast.AstBinary;
import jinjava.de.odysseus.el.tree.impl.ast.AstNode;
import jinjava.de.odysseus.el.tree.impl.ast.AstUnary;
import jinjava.javax.el.ExpressionFactory;

/**
 * Jinjava with jinja2's precedence for {@code not}. In Python {@code not} binds more loosely than comparisons and
 * tests: {@code not a == b} is {@code not (a == b)} and {@code not x is defined} is {@code not (x is defined)}.
 * Jinjava's expression language parses {@code not} as a tight unary operator; its "natural precedence" option fixes
 * {@code not a == b} but breaks {@code not x is defined}. The Llama 3.1 template has both
 * ({@code not message.tool_calls|length == 1}, {@code not date_string is defined}), so we parse {@code not} where
 * Python's grammar has it: between {@code and} and the comparisons. {@code +} follows Python's type rules
 * ({@link PythonAddition}) and {@code ~} Python's str() ({@link PythonConcat}). Everything else is Jinjava's parser
 * unchanged.
 */
final class PythonPrecedenceJinjava extends Jinjava {
    private final ExpressionFactory expressionFactory;

    PythonPrecedenceJinjava(JinjavaConfig config) {
        super(config);
        // Same converter and tree cache size as Jinjava's own factory; parsed expressions are cached by text.
        this.expressionFactory = new ExpressionFactoryImpl(new TreeStore(new PythonSyntaxBuilder(), new Cache(1000)),
                new TruthyTypeConverter());
    }

    @Override
    public ExpressionFactory getExpressionFactory() {
        return expressionFactory;
    }

    static final class PythonSyntaxBuilder extends ExtendedSyntaxBuilder {
        private static final long serialVersionUID = 1L;

        /** The features Jinjava's own builder has: method calls and varargs. */
        PythonSyntaxBuilder() {
            super(Builder.Feature.METHOD_INVOCATIONS, Builder.Feature.VARARGS);
        }

        @Override
        protected Parser createParser(String expression) {
            return new PythonPrecedenceParser(this, expression);
        }
    }

    /**
     * Python's {@code +}: str + str, list + list and numbers as Jinjava does them; a None or undefined operand, or
     * a str mixed with a non-str, is an error as in jinja2 (Jinjava would write "null" or "a1" into the prompt).
     */
    static final class PythonAddition extends AdditionOperator {
        static final PythonAddition OP = new PythonAddition();

        @Override
        protected Object apply(TypeConverter converter, Object a, Object b) {
            if (a == null || b == null) {
                throw new IllegalArgumentException("unsupported operand for +: " + typeName(a) + " and "
                        + typeName(b) + " (None or an undefined variable)");
            }
            boolean aText = a instanceof CharSequence || a instanceof SafeString;
            boolean bText = b instanceof CharSequence || b instanceof SafeString;
            if (aText != bText) {
                throw new IllegalArgumentException("can only concatenate str (not \"" + typeName(aText ? b : a)
                        + "\") to str");
            }
            if ((a instanceof Collection<?>) != (b instanceof Collection<?>)) {
                throw new IllegalArgumentException("unsupported operand types for +: " + typeName(a) + " and "
                        + typeName(b));
            }
            return super.apply(converter, a, b);
        }

        private static String typeName(Object o) {
            if (o == null) {
                return "NoneType";
            }
            if (o instanceof CharSequence || o instanceof SafeString) {
                return "str";
            }
            if (o instanceof Boolean) {
                return "bool";
            }
            if (o instanceof Double || o instanceof Float) {
                return "float";
            }
            if (o instanceof Number) {
                return "int";
            }
            if (o instanceof Collection<?>) {
                return "list";
            }
            if (o instanceof java.util.Map<?, ?>) {
                return "dict";
            }
            return o.getClass().getSimpleName();
        }
    }

    /** Python's {@code ~}: str() of both sides ({@code True}, {@code [1, None]}), where Jinjava writes Java's. */
    static final class PythonConcat extends StringConcatOperator {
        static final PythonConcat OP = new PythonConcat();
        static final Parser.ExtensionHandler HANDLER = new Parser.ExtensionHandler(Parser.ExtensionPoint.ADD) {
            @Override
            public AstNode createAstNode(AstNode... children) {
                return new AstBinary(children[0], children[1], OP);
            }
        };

        @Override
        protected Object apply(TypeConverter converter, Object a, Object b) {
            return PythonValues.print(a) + PythonValues.print(b);
        }
    }

    static final class PythonPrecedenceParser extends ExtendedParser {
        PythonPrecedenceParser(Builder context, String input) {
            super(context, input);
            putExtensionHandler(StringConcatOperator.TOKEN, PythonConcat.HANDLER);
        }

        /** and_test := not_test ('and' not_test)*, as in Python. */
        @Override
        protected AstNode and(boolean required) throws Scanner.ScanException, ParseException {
            AstNode v = notTest(required);
            if (v == null) {
                return null;
            }
            while (true) {
                Scanner.Token token = getToken();
                if (token.getSymbol() == Scanner.Symbol.AND) {
                    consumeToken();
                    v = createAstBinary(v, notTest(true), AstBinary.AND);
                } else if (token.getSymbol() == Scanner.Symbol.EXTENSION
                        && getExtensionHandler(token).getExtensionPoint() == ExtensionPoint.AND) {
                    v = getExtensionHandler(consumeToken()).createAstNode(v, notTest(true));
                } else {
                    return v;
                }
            }
        }

        /** Jinjava's additive level, with Python's {@code +} ({@link PythonAddition}) instead of Jinjava's. */
        @Override
        protected AstNode add(boolean required) throws Scanner.ScanException, ParseException {
            AstNode v = mul(required);
            if (v == null) {
                return null;
            }
            while (true) {
                Scanner.Token token = getToken();
                if (token.getSymbol() == Scanner.Symbol.PLUS) {
                    consumeToken();
                    v = createAstBinary(v, mul(true), PythonAddition.OP);
                } else if (token.getSymbol() == Scanner.Symbol.MINUS) {
                    consumeToken();
                    v = createAstBinary(v, mul(true), AstBinary.SUB);
                } else if (token.getSymbol() == Scanner.Symbol.EXTENSION
                        && getExtensionHandler(token).getExtensionPoint() == ExtensionPoint.ADD) {
                    v = getExtensionHandler(consumeToken()).createAstNode(v, mul(true));
                } else {
                    return v;
                }
            }
        }

        /** not_test := 'not' not_test | comparison. */
        private AstNode notTest(boolean required) throws Scanner.ScanException, ParseException {
            if (getToken().getSymbol() == Scanner.Symbol.NOT) {
                consumeToken();
                return createAstUnary(notTest(true), AstUnary.NOT);
            }
            return eq(required);
        }
    }
}
