package org.aloe4j.server;

import java.util.List;

/**
 * A validated {@code /v1/chat/completions} or {@code /v1/completions} request.
 *
 * @param chat         chat completions (else legacy text completions)
 * @param model        the model id to echo in the response
 * @param job          what the backend generates
 * @param stream       answer with server-sent events
 * @param includeUsage {@code stream_options.include_usage}: a last chunk with the usage
 * @param sources      retrieved passages the prompt was grounded on (empty without retrieval)
 */
public record ParsedRequest(boolean chat, String model, GenerationJob job, boolean stream, boolean includeUsage,
        List<Grounding.Source> sources) {

    public ParsedRequest {
        sources = sources == null ? List.of() : List.copyOf(sources);
    }

    public ParsedRequest withGrounding(GenerationJob groundedJob, List<Grounding.Source> used) {
        return new ParsedRequest(chat, model, groundedJob, stream, includeUsage, used);
    }
}
