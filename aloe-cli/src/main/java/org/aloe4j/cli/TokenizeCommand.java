package org.aloe4j.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.aloe4j.tokenizer.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "tokenize", description = {
        "Reads text on stdin and prints its token ids on one line, separated by spaces (no special tokens added,",
        "special-token text not parsed). With --decode, reads ids and prints the text."})
final class TokenizeCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "GGUF file, Hugging Face directory or tokenizer.json, or a hub repository ORG/NAME[:FILE.gguf]")
    String model;

    @Option(names = "--decode", description = "read token ids (separated by spaces, commas or newlines) and print the text")
    boolean decode;

    @Option(names = "--parse-special", description = "recognise special-token text such as <|im_start|> in the input")
    boolean parseSpecial;

    @Override
    public Integer call() throws IOException {
        Tokenizer tok = ModelFiles.tokenizer(ModelFiles.resolve(model));
        String input = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
        if (decode) {
            String[] parts = input.trim().split("[\\s,]+");
            int[] ids = input.isBlank() ? new int[0] : Arrays.stream(parts).mapToInt(s -> parseId(s, tok)).toArray();
            System.out.print(tok.decode(ids));
        } else {
            int[] ids = tok.encode(input, parseSpecial);
            System.out.println(Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(" ")));
        }
        System.out.flush();
        return 0;
    }

    private static int parseId(String s, Tokenizer tok) {
        int id;
        try {
            id = Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a token id: '" + s + "'");
        }
        if (id < 0 || id >= tok.vocabSize()) {
            throw new IllegalArgumentException("token id " + id + " outside the vocabulary (0.." + (tok.vocabSize() - 1) + ")");
        }
        return id;
    }
}
