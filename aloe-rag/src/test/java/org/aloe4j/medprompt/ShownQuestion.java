package org.aloe4j.medprompt;

import java.util.ArrayList;
import java.util.List;

/**
 * The question as a model sees it in a user turn, read back from the text: the question, then "Options:", then
 * "A. text" lines. Tests use it to find which option a member saw under which letter, independently of the code
 * under test.
 */
record ShownQuestion(String question, List<String> letters, List<String> options) {

    static ShownQuestion parse(String userTurn) {
        int at = userTurn.lastIndexOf("\nOptions:\n");
        if (at < 0) {
            throw new IllegalArgumentException("no Options: line in " + userTurn);
        }
        List<String> letters = new ArrayList<>();
        List<String> options = new ArrayList<>();
        for (String line : userTurn.substring(at + "\nOptions:\n".length()).split("\n")) {
            if (!line.matches("[A-Z]\\. .*")) {
                throw new IllegalArgumentException("not an option line: '" + line + "'");
            }
            letters.add(line.substring(0, 1));
            options.add(line.substring(3));
        }
        return new ShownQuestion(userTurn.substring(0, at), letters, options);
    }

    /** The letter this prompt shows {@code optionText} under. */
    String letterOf(String optionText) {
        int i = options.indexOf(optionText.strip());
        if (i < 0) {
            throw new IllegalArgumentException("option '" + optionText + "' not shown in " + options);
        }
        return letters.get(i);
    }

    String textAt(String letter) {
        return options.get(letters.indexOf(letter));
    }
}
