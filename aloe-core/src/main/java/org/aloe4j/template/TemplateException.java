package org.aloe4j.template;

/**
 * A chat template that cannot be loaded or rendered, or that raised an error itself ({@code raise_exception}). The
 * message is one line: which template, then what went wrong.
 */
public class TemplateException extends RuntimeException {

    public TemplateException(String template, String problem) {
        super("chat template " + template + ": " + problem);
    }

    public TemplateException(String template, String problem, Throwable cause) {
        super("chat template " + template + ": " + problem, cause);
    }
}
