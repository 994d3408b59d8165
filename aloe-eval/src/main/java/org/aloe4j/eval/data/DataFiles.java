package org.aloe4j.eval.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The data files a path stands for: the file itself, or the matching files of a folder in name order. */
final class DataFiles {
    private DataFiles() {}

    static List<Path> list(Path path, String... suffixes) {
        LoadCollector.requireExists(path);
        if (!Files.isDirectory(path)) {
            return List.of(path);
        }
        try (Stream<Path> s = Files.walk(path)) {
            List<Path> files = s.filter(Files::isRegularFile)
                    .filter(p -> {
                        String n = p.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
                        for (String suf : suffixes) {
                            if (n.endsWith(suf)) {
                                return true;
                            }
                        }
                        return false;
                    })
                    .sorted()
                    .toList();
            if (files.isEmpty()) {
                throw new DatasetException(path + ": no " + String.join(" or ", suffixes) + " file in this folder");
            }
            return files;
        } catch (IOException e) {
            throw new DatasetException(path + ": cannot list: " + e.getMessage(), e);
        }
    }
}
