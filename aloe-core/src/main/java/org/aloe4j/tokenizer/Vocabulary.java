package org.aloe4j.tokenizer;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * What every tokenizer model shares: the token texts and kinds by id, the reverse map, the added tokens that
 * {@code parseSpecial} recognises, and the BOS/EOS settings.
 *
 * @param source       the file the vocabulary came from, for messages
 * @param texts        token text by id ({@code null} where an id has no token)
 * @param types        token kind by id ({@code null} where an id has no token)
 * @param ids          token text to id
 * @param addedTokens  texts recognised as single tokens when encoding with parseSpecial
 */
record Vocabulary(Path source, String[] texts, TokenType[] types, Map<String, Integer> ids,
                  AddedTokenMatcher addedTokens, int bosId, int eosId, boolean addBos) {

    int size() {
        return texts.length;
    }

    boolean contains(int id) {
        return id >= 0 && id < texts.length && texts[id] != null;
    }

    /** Text to id for every token, where a text occurs twice the later id wins (as in llama.cpp). */
    static Map<String, Integer> reverse(String[] texts) {
        Map<String, Integer> ids = new HashMap<>(texts.length * 4 / 3 + 1);
        for (int i = 0; i < texts.length; i++) {
            if (texts[i] != null) {
                ids.put(texts[i], i);
            }
        }
        return ids;
    }

    /** The added tokens that parseSpecial recognises: control, user-defined and unknown tokens (llama.cpp's set). */
    static AddedTokenMatcher addedTokenMatcher(String[] texts, TokenType[] types) {
        Map<String, Integer> added = new HashMap<>();
        for (int i = 0; i < texts.length; i++) {
            TokenType t = types[i];
            if (texts[i] != null && (t == TokenType.CONTROL || t == TokenType.USER_DEFINED || t == TokenType.UNKNOWN)) {
                added.putIfAbsent(texts[i], i);
            }
        }
        return new AddedTokenMatcher(added);
    }
}
