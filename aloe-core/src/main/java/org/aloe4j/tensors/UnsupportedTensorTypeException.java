package org.aloe4j.tensors;

import org.aloe4j.formats.ModelFormatException;

/** A weight tensor whose ggml type the engine cannot compute with. */
public class UnsupportedTensorTypeException extends ModelFormatException {

    public UnsupportedTensorTypeException(String message) {
        super(message);
    }
}
