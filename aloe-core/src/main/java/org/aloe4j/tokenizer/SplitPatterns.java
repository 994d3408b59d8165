package org.aloe4j.tokenizer;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The pre-tokenizer regular expressions that cut text into words before BPE, and how to run them in Java so they
 * match what Hugging Face {@code tokenizers} (Oniguruma, Unicode mode) matches.
 *
 * <p>Why {@link Pattern#UNICODE_CHARACTER_CLASS}: in Java {@code \s} alone is ASCII-only ({@code [ \t\n\x0B\f\r]}),
 * while Oniguruma's {@code \s} is Unicode White_Space (also U+0085, U+00A0, U+1680, U+2000..U+200A, U+2028,
 * U+2029, U+202F, U+205F, U+3000). With the flag Java's {@code \s} is White_Space too, so a no-break space is
 * whitespace for {@code \s+(?!\S)} and not a "symbol" for {@code [^\s\p{L}\p{N}]}. The flag also turns on
 * Unicode case folding for {@code (?i:'s|...)}, as Oniguruma does (so {@code 'ſ} matches like {@code 's}).
 * {@code \p{L}} and {@code \p{N}} are the general categories in both engines (Java with its own, newer, Unicode
 * tables). Note that combining marks (category M: Khmer vowel signs, U+FE0F) and format characters (U+200D) are
 * neither letters, digits nor whitespace, so they group with punctuation, exactly as in the reference.
 * Alternation is leftmost-first with backtracking in both engines, so {@code \s+(?!\S)} leaves the last space of
 * a run for the following word in both.
 */
final class SplitPatterns {
    private SplitPatterns() {}

    /** Qwen2 / Qwen2.5: digits one at a time. */
    static final String QWEN2 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    /** Llama 3 / 3.1: digits in groups of up to three. */
    static final String LLAMA3 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    /** GPT-2 (Hugging Face's ByteLevel pre-tokenizer with use_regex). */
    static final String GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    static Pattern compile(String regex) throws PatternSyntaxException {
        return Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
    }
}
