package org.aloe4j.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.aloe4j.generation.LocalModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "logits", description = "Prints JSON {\"tokens\":[...],\"logits\":[[...]]}: the logits after the last"
        + " token, or after every token with --all-positions.")
final class LogitsCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "GGUF file or Hugging Face model directory, or a hub repository ORG/NAME[:FILE.gguf]")
    String model;

    @Option(names = "--tokens", required = true, split = ",", description = "token ids: ID,ID,...")
    int[] tokens;

    @Option(names = "--all-positions", description = "logits for every position, not only the last")
    boolean allPositions;

    @Override
    public Integer call() throws IOException {
        try (LocalModel m = LocalModel.open(ModelFiles.resolve(model), new LocalModel.Options(Math.max(tokens.length, 1)))) {
            for (int id : tokens) {
                if (id < 0 || id >= m.config().vocabSize()) {
                    throw new IllegalArgumentException("token id " + id + " outside the vocabulary (0.." + (m.config().vocabSize() - 1) + ")");
                }
            }
            float[][] logits = m.logits(tokens, allPositions);
            OutputStream os = System.out;
            try (JsonGenerator g = ModelFiles.JSON.getFactory().createGenerator(os)) {
                g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
                g.writeStartObject();
                g.writeArrayFieldStart("tokens");
                for (int t : tokens) {
                    g.writeNumber(t);
                }
                g.writeEndArray();
                g.writeArrayFieldStart("logits");
                for (float[] row : logits) {
                    g.writeStartArray();
                    for (float f : row) {
                        g.writeNumber(f);
                    }
                    g.writeEndArray();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            System.out.println();
            return 0;
        }
    }
}
