package org.aloe4j.eval.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * MMLU's medical subjects: CSV files without a header, {@code question,A,B,C,D,answer}, quoted fields that may span
 * lines. The subject comes from the file name ({@code anatomy_test.csv} -> anatomy). {@code path} is a folder (every
 * {@code <subject>_test*.csv} of the six medical subjects under it is read; {@code <subject>_dev*.csv} files become the
 * few-shot exemplars) or one test CSV (its dev file is looked for beside it, in {@code ../dev} and {@code dev/}).
 */
public final class MmluLoader implements BenchmarkLoader {

    public static final List<String> MEDICAL_SUBJECTS = List.of("anatomy", "clinical_knowledge", "college_biology",
            "college_medicine", "medical_genetics", "professional_medicine");

    private static final Pattern NAME = Pattern.compile("^(.+?)_(test|dev|val)([._].*)?\\.csv$");
    private static final Set<String> LETTERS = Set.of("A", "B", "C", "D");
    private static final CsvMapper CSV = new CsvMapper();

    @Override
    public LoadResult load(Path path, LoaderOptions options) {
        LoadCollector.requireExists(path);
        LoadCollector out = new LoadCollector();
        List<Path> tests = new ArrayList<>();
        List<Path> devs = new ArrayList<>();
        if (Files.isDirectory(path)) {
            for (Path f : csvFilesUnder(path)) {
                String[] sk = subjectAndKind(f);
                if (sk == null || !MEDICAL_SUBJECTS.contains(sk[0])) {
                    continue;
                }
                (sk[1].equals("test") ? tests : sk[1].equals("dev") ? devs : new ArrayList<Path>()).add(f);
            }
            if (tests.isEmpty()) {
                throw new DatasetException(path + ": no <subject>_test*.csv file of the six MMLU medical subjects");
            }
            List<String> found = tests.stream().map(f -> subjectAndKind(f)[0]).distinct().toList();
            List<String> missing = MEDICAL_SUBJECTS.stream().filter(s -> !found.contains(s)).toList();
            out.notes.add("subjects: " + found + (missing.isEmpty() ? "" : "; missing: " + missing));
        } else {
            String[] sk = subjectAndKind(path);
            if (sk == null) {
                throw new DatasetException(path + ": cannot tell the subject: MMLU files are named <subject>_test.csv");
            }
            if (!MEDICAL_SUBJECTS.contains(sk[0])) {
                out.notes.add(sk[0] + " is not one of the six medical subjects " + MEDICAL_SUBJECTS);
            }
            tests.add(path);
            Path dir = path.toAbsolutePath().getParent();
            for (Path d : new Path[] {dir, dir.resolve("dev"), dir.getParent() == null ? dir : dir.getParent().resolve("dev")}) {
                if (Files.isDirectory(d)) {
                    for (Path f : csvFilesIn(d)) {
                        String[] fk = subjectAndKind(f);
                        if (fk != null && fk[0].equals(sk[0]) && fk[1].equals("dev") && !devs.contains(f)) {
                            devs.add(f);
                        }
                    }
                }
            }
        }
        for (Path f : tests) {
            String subject = subjectAndKind(f)[0];
            readCsv(f, subject, subject + ":", (line, q) -> out.add(f, line, () -> q), out);
        }
        for (Path f : devs) {
            String subject = subjectAndKind(f)[0];
            List<Question> ex = out.exemplars.computeIfAbsent(subject, k -> new ArrayList<>());
            readCsv(f, subject, subject + ":dev:", (line, q) -> ex.add(q), out);
        }
        if (!out.exemplars.isEmpty()) {
            out.notes.add("dev exemplars: " + out.exemplars.entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue().size()).toList());
        }
        return out.result();
    }

    private interface RowSink {
        void accept(long line, Question q);
    }

    /** {subject, kind} from a file name, or null. */
    static String[] subjectAndKind(Path f) {
        Matcher m = NAME.matcher(f.getFileName().toString().toLowerCase(Locale.ROOT));
        return m.matches() ? new String[] {m.group(1), m.group(2)} : null;
    }

    private static List<Path> csvFilesUnder(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(".csv")).sorted().toList();
        } catch (IOException e) {
            throw new DatasetException(dir + ": cannot list: " + e.getMessage(), e);
        }
    }

    private static List<Path> csvFilesIn(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(".csv")).sorted().toList();
        } catch (IOException e) {
            throw new DatasetException(dir + ": cannot list: " + e.getMessage(), e);
        }
    }

    private static void readCsv(Path file, String subject, String idPrefix,
                                RowSink sink, LoadCollector out) {
        String content;
        try {
            content = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot read: " + e.getMessage(), e);
        }
        try (CsvParser p = (CsvParser) CSV.getFactory().createParser(content)) {
            int record = 0;
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t != JsonToken.START_ARRAY) {
                    continue;
                }
                // the record's line is its first value's: START_ARRAY still carries the previous record's position
                long line = 0;
                List<String> fields = new ArrayList<>();
                while ((t = p.nextToken()) != JsonToken.END_ARRAY && t != null) {
                    if (fields.isEmpty()) {
                        line = p.currentTokenLocation().getLineNr();
                    }
                    fields.add(p.getText());
                }
                if (fields.size() == 1 && fields.getFirst().isBlank()) {
                    continue; // an empty line
                }
                record++;
                if (fields.size() != 6) {
                    out.error(file, line, fields.size() + " fields (question,A,B,C,D,answer expected)");
                    continue;
                }
                String answer = fields.get(5).strip();
                if (!LETTERS.contains(answer)) {
                    out.error(file, line, "answer '" + fields.get(5) + "' is not A, B, C or D");
                    continue;
                }
                String id = idPrefix + record;
                Question q;
                try {
                    q = new Question(id, subject, "", fields.get(0), fields.subList(1, 5), answer);
                } catch (IllegalArgumentException e) {
                    out.error(file, line, e.getMessage());
                    continue;
                }
                sink.accept(line, q);
            }
        } catch (JsonProcessingException e) {
            out.error(file, e.getLocation() == null ? 0 : e.getLocation().getLineNr(),
                    "malformed CSV (the rest of the file is skipped): " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot read: " + e.getMessage(), e);
        }
    }
}
