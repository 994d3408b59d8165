package org.aloe4j.server;

import org.aloe4j.Fixtures;
import org.aloe4j.generation.LocalModel;

/**
 * One server for the HTTP tests, started on first use and shared by the test classes of this JVM (loading the
 * tiny model with the real Qwen2.5 vocabulary and chat template takes a second or two): 8 parallel sequences, a
 * queue of 64, an API key, 64 KiB bodies.
 */
final class TestServers {
    static final String KEY = "sk-aloe-test-key";
    static final String MODEL = "tiny-qwen2-realvocab";
    static final long MAX_BODY = 64 * 1024;

    private static AloeServer shared;

    private TestServers() {}

    static synchronized AloeServer shared() {
        if (shared == null) {
            LocalModel model = LocalModel.open(Fixtures.file("models/tiny-qwen2-realvocab.Q8_0.gguf"));
            BatchingBackend backend = new BatchingBackend(model, MODEL, new BatchingBackend.Options(8, 64, 512));
            shared = AloeServer.start(backend, ServerOptions.defaults(0).withApiKey(KEY).withMaxBodyBytes(MAX_BODY));
            AloeServer s = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(s::close));
        }
        return shared;
    }

    static BatchingBackend sharedBackend() {
        return (BatchingBackend) shared().backend();
    }
}
