package org.aloe4j.rag.docs;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Cuts text into chunks of at most {@code maxWords} words that follow its structure, with {@code overlapWords}
 * words of context carried over from the chunk before.
 *
 * <ul>
 *   <li>Size is counted in words (runs of non-space characters): English prose makes about 1.3 bge word-piece
 *       tokens per word (more for dense medical terms), so the default 180 words stays well under bge's 512-token
 *       window.</li>
 *   <li>Paragraphs (split at blank lines) are kept whole when they fit; a longer one is split into sentences (at
 *       . ! ? followed by space and a capital letter, digit or opening mark); a sentence longer than
 *       {@code maxWords} is cut into word windows.</li>
 *   <li>Units are packed greedily into chunks. Each chunk after the first begins with the last whole sentences of
 *       the previous chunk that add up to at most {@code overlapWords} words (none when the last sentence alone is
 *       longer), so a fact on a boundary is found from both sides.</li>
 *   <li>Whitespace inside a paragraph is collapsed to single spaces; paragraphs are joined by a blank line.</li>
 * </ul>
 */
public final class Chunker {

    public static final int DEFAULT_MAX_WORDS = 180;
    public static final int DEFAULT_OVERLAP_WORDS = 30;

    private static final Pattern PARAGRAPH_BREAK = Pattern.compile("\\n\\s*\\n");
    private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?][\"')\\]]?)\\s+(?=[\"'(\\[]?[A-Z0-9])");
    private static final Pattern SPACE = Pattern.compile("\\s+");

    private final int maxWords;
    private final int overlapWords;

    public Chunker() {
        this(DEFAULT_MAX_WORDS, DEFAULT_OVERLAP_WORDS);
    }

    public Chunker(int maxWords, int overlapWords) {
        if (maxWords < 1 || overlapWords < 0 || overlapWords >= maxWords) {
            throw new IllegalArgumentException("need maxWords >= 1 and 0 <= overlapWords < maxWords, got "
                    + maxWords + " and " + overlapWords);
        }
        this.maxWords = maxWords;
        this.overlapWords = overlapWords;
    }

    public int maxWords() {
        return maxWords;
    }

    public int overlapWords() {
        return overlapWords;
    }

    /** A run of sentences that stays together; {@code paragraphStart} when it opens a paragraph. */
    private record Unit(List<String> sentences, int words, boolean paragraphStart) {}

    public List<String> chunk(String text) {
        List<Unit> units = units(text);
        List<String> chunks = new ArrayList<>();
        List<Unit> current = new ArrayList<>();
        int words = 0;
        for (Unit unit : units) {
            if (!current.isEmpty() && words + unit.words() > maxWords) {
                chunks.add(render(current));
                current = overlap(current, maxWords - unit.words());
                words = current.stream().mapToInt(Unit::words).sum();
            }
            current.add(unit);
            words += unit.words();
        }
        if (!current.isEmpty()) {
            chunks.add(render(current));
        }
        return chunks;
    }

    /** The trailing sentences of {@code previous} that fit both the overlap and the room left for the next unit. */
    private List<Unit> overlap(List<Unit> previous, int room) {
        int budget = Math.min(overlapWords, room);
        List<String> tail = new ArrayList<>();
        int words = 0;
        outer:
        for (int u = previous.size() - 1; u >= 0; u--) {
            List<String> sentences = previous.get(u).sentences();
            for (int s = sentences.size() - 1; s >= 0; s--) {
                int w = wordCount(sentences.get(s));
                if (words + w > budget) {
                    break outer;
                }
                tail.addFirst(sentences.get(s));
                words += w;
            }
        }
        return tail.isEmpty() ? new ArrayList<>() : new ArrayList<>(List.of(new Unit(tail, words, false)));
    }

    private List<Unit> units(String text) {
        List<Unit> units = new ArrayList<>();
        for (String paragraph : PARAGRAPH_BREAK.split(text.strip())) {
            String p = SPACE.matcher(paragraph).replaceAll(" ").strip();
            if (p.isEmpty()) {
                continue;
            }
            int words = wordCount(p);
            if (words <= maxWords) {
                units.add(new Unit(SENTENCE_END.splitAsStream(p).toList(), words, true));
                continue;
            }
            boolean first = true;
            for (String sentence : SENTENCE_END.split(p)) {
                for (String piece : windows(sentence)) {
                    units.add(new Unit(List.of(piece), wordCount(piece), first));
                    first = false;
                }
            }
        }
        return units;
    }

    /** A sentence longer than maxWords as consecutive windows of maxWords words. */
    private List<String> windows(String sentence) {
        String[] w = SPACE.split(sentence);
        if (w.length <= maxWords) {
            return List.of(sentence);
        }
        List<String> out = new ArrayList<>();
        for (int from = 0; from < w.length; from += maxWords) {
            out.add(String.join(" ", List.of(w).subList(from, Math.min(w.length, from + maxWords))));
        }
        return out;
    }

    private static String render(List<Unit> units) {
        StringBuilder sb = new StringBuilder();
        for (Unit u : units) {
            if (!sb.isEmpty()) {
                sb.append(u.paragraphStart() ? "\n\n" : " ");
            }
            sb.append(String.join(" ", u.sentences()));
        }
        return sb.toString();
    }

    static int wordCount(String s) {
        String t = s.strip();
        return t.isEmpty() ? 0 : SPACE.split(t).length;
    }
}
