package org.aloe4j.hub;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The environment is read as huggingface_hub's constants.py reads it. */
class HubConfigTest {

    private static final Path HOME = Path.of(System.getProperty("user.home"));

    @Test
    void defaults() {
        HubConfig c = HubConfig.fromEnvironment(Map.of("HF_TOKEN_PATH", "/nonexistent/token"));
        assertEquals(URI.create("https://huggingface.co"), c.endpoint());
        assertEquals(HOME.resolve(".cache/huggingface/hub"), c.cacheDir());
        assertNull(c.token());
        assertFalse(c.offline());
        assertEquals(4, c.parallelDownloads());
    }

    @Test
    void cacheDirectoryPrecedence() {
        assertEquals(Path.of("/x/hub"), HubConfig.fromEnvironment(Map.of("HF_HOME", "/x")).cacheDir());
        assertEquals(Path.of("/xdg/huggingface/hub"),
                HubConfig.fromEnvironment(Map.of("XDG_CACHE_HOME", "/xdg")).cacheDir());
        assertEquals(Path.of("/legacy"), HubConfig.fromEnvironment(Map.of("HF_HOME", "/x",
                "HUGGINGFACE_HUB_CACHE", "/legacy")).cacheDir());
        assertEquals(Path.of("/new"), HubConfig.fromEnvironment(Map.of("HF_HOME", "/x",
                "HUGGINGFACE_HUB_CACHE", "/legacy", "HF_HUB_CACHE", "/new")).cacheDir());
        assertEquals(HOME.resolve("c"), HubConfig.fromEnvironment(Map.of("HF_HUB_CACHE", "~/c")).cacheDir());
    }

    @Test
    void endpointTokenAndOffline() {
        HubConfig c = HubConfig.fromEnvironment(Map.of("HF_ENDPOINT", "http://127.0.0.1:9/",
                "HF_TOKEN", " hf_abc ", "HF_HUB_OFFLINE", "yes"));
        assertEquals(URI.create("http://127.0.0.1:9"), c.endpoint());
        assertEquals("hf_abc", c.token());
        assertTrue(c.offline());
        assertFalse(c.toString().contains("hf_abc"), "the token is never printed");
        assertEquals("hf_legacy", HubConfig.fromEnvironment(Map.of("HUGGING_FACE_HUB_TOKEN", "hf_legacy")).token());
        for (String on : new String[]{"1", "ON", "true", "Yes"}) {
            assertTrue(HubConfig.fromEnvironment(Map.of("HF_HUB_OFFLINE", on)).offline(), on);
        }
        for (String off : new String[]{"0", "", "no", "false"}) {
            assertFalse(HubConfig.fromEnvironment(Map.of("HF_HUB_OFFLINE", off)).offline(), off);
        }
        assertTrue(HubConfig.fromEnvironment(Map.of("TRANSFORMERS_OFFLINE", "1")).offline());
    }
}
