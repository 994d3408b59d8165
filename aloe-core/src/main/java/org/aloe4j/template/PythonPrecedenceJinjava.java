package org.aloe4j.template;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.el.ExtendedSyntaxBuilder;
import com.hubspot.jinjava.el.TruthyTypeConverter;
import com.hubspot.jinjava.el.ext.ExtendedParser;
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
 * Python's grammar has it: between {@code and} and the comparisons. Everything else is Jinjava's parser unchanged.
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

    static final class PythonPrecedenceParser extends ExtendedParser {
        PythonPrecedenceParser(Builder context, String input) {
            super(context, input);
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
