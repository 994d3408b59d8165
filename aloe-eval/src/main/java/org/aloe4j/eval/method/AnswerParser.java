package org.aloe4j.eval.method;

import java.util.List;

/**
 * prompt_engine's parser ({@code utils.parse_response}): take the text after the last {@code "\nAnswer: "} (the
 * whole reply when there is none); look for {@code [A]}, {@code [B]}... in it; when several letters appear, the last
 * one in the options' order wins (prompt_engine walks the options in order and keeps the last hit, so
 * "[C] ... [A]" gives C); no bracketed letter = unparsable (null).
 */
public final class AnswerParser {
    private AnswerParser() {}

    public static final String MARKER = "\nAnswer: ";

    /** The answered letter among {@code letters}, or null. */
    public static String parse(String reply, List<String> letters) {
        if (reply == null) {
            return null;
        }
        int at = reply.lastIndexOf(MARKER);
        String tail = at < 0 ? reply : reply.substring(at + MARKER.length());
        String found = null;
        for (String letter : letters) {
            if (tail.contains("[" + letter + "]")) {
                found = letter;
            }
        }
        return found;
    }
}
