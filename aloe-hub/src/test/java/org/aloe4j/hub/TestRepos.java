package org.aloe4j.hub;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/** The fake repositories the tests pull: small generated files shaped like an Aloe Beta checkpoint. */
public final class TestRepos {

    public static final String ALOE = "HPAI-BSC/Qwen2.5-Aloe-Beta-7B";
    public static final String SHARD1 = "model-00001-of-00002.safetensors";
    public static final String SHARD2 = "model-00002-of-00002.safetensors";
    public static final String NESTED = "original/sub/consolidated.00.pth";

    private TestRepos() {
    }

    /** config.json and tokenizer.json in git, two LFS safetensors shards (1 MB, 700 kB) and a nested LFS file. */
    public static FakeHub.FakeRepo aloe(FakeHub hub) {
        FakeHub.FakeRepo repo = hub.addRepo(ALOE)
                .add("config.json", "{\"architectures\":[\"Qwen2ForCausalLM\"],\"hidden_size\":64}\n"
                        .getBytes(StandardCharsets.UTF_8), false)
                .add("tokenizer.json", FakeHub.randomBytes(1, 20_000), false)
                .add(SHARD1, FakeHub.randomBytes(2, 1_000_000), true)
                .add(SHARD2, FakeHub.randomBytes(3, 700_000), true)
                .add(NESTED, FakeHub.randomBytes(4, 300_000), true);
        return hub.publish(repo);
    }

    /** A configuration for the fake hub: fast retries so tests stay quick. */
    public static HubConfig config(FakeHub hub, Path cache) {
        return HubConfig.of(hub.endpoint(), cache).withRetries(3, Duration.ofMillis(20));
    }
}
