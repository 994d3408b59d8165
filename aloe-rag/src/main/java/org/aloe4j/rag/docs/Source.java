package org.aloe4j.rag.docs;

import java.nio.file.Path;

/** One passage given to the model, as listed to the user: its number in the context, file, place in it, score. */
public record Source(int number, String file, String location, int position, double score) {

    /** "guide.md, page 3" / "notes.txt, chunk 2" (file name only; {@link #file()} has the full path). */
    public String label() {
        String name = Path.of(file).getFileName().toString();
        return name + ", " + (location.isEmpty() ? "chunk " + (position + 1) : location);
    }
}
