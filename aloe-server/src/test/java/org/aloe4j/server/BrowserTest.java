package org.aloe4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.aloe4j.generation.AloeDefaults;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The chat page in a real browser: Debian's chromium driven by chromium-driver (headless). Skipped when they are
 * not installed ({@code apt-get install -y chromium chromium-driver}).
 */
class BrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    private static WebDriver driver;

    @BeforeAll
    static void startBrowser() {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER),
                "chromium and chromium-driver are not installed (skipped)");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1200,900");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(DRIVER.toString())).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stopBrowser() {
        if (driver != null) {
            driver.quit();
        }
    }

    private static WebElement lastAnswer() {
        List<WebElement> answers = driver.findElements(By.cssSelector("#messages .msg.assistant"));
        return answers.isEmpty() ? null : answers.getLast();
    }

    /** Polls the page every 10 ms until the condition holds (30 s at most). */
    private static void until(Predicate<WebDriver> condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.test(driver)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the page did not reach the expected state in 30 s: "
                        + driver.findElement(By.id("messages")).getText());
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    /** The element's raw text (getText() normalises whitespace as rendered). */
    private static String text(WebElement e) {
        return e.getDomProperty("textContent");
    }

    private static void ask(String question) {
        driver.findElement(By.id("input")).sendKeys(question);
        driver.findElement(By.id("send")).click();
    }

    private static void askLongAnswerAndStopIt(BatchingBackend backend, long cancelled) {
        ask("What are the warning signs of sepsis?");
        until(d -> {
            WebElement a = lastAnswer();
            return a != null && a.getAttribute("class").contains("streaming") && text(a).strip().length() > 20;
        });
        String partial = text(lastAnswer());
        assertTrue(driver.findElement(By.id("send")).getAttribute("disabled") != null, "send is off while streaming");
        driver.findElement(By.id("stop")).click();
        until(d -> "true".equals(lastAnswer().getAttribute("data-done")));
        assertEquals("Stopped.", driver.findElement(By.id("status")).getText());
        assertTrue(text(lastAnswer()).startsWith(partial), "the streamed text stays");
        until(d -> backend.stats().cancelled() > cancelled); // the stop reached the scheduler
    }

    @Test
    void sendsAMessageSeesTheStreamedAnswerStopsOneAndAlwaysShowsTheNotice() {
        AloeServer server = TestServers.shared();
        BatchingBackend backend = TestServers.sharedBackend();
        driver.get(Http.root(server) + "/");
        WebElement notice = driver.findElement(By.id("notice"));
        assertTrue(notice.isDisplayed());
        assertEquals(AloeDefaults.NOTICE, notice.getText());
        assertEquals(AloeDefaults.SYSTEM_PROMPT, driver.findElement(By.id("system")).getAttribute("value"));

        driver.findElement(By.cssSelector("#settings summary")).click();
        driver.findElement(By.id("api-key")).sendKeys(TestServers.KEY); // this server requires a key
        driver.findElement(By.id("max-tokens")).sendKeys("2000");

        // a long answer: text shows while it is still streaming; then the stop button ends it. The scheduler is paced
        // (20 ms per forward pass) so that the tiny model cannot finish 2000 tokens before the click lands.
        long cancelled = backend.stats().cancelled();
        backend.stepObserver = (rows, decodeRows, sequences) -> {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        try {
            askLongAnswerAndStopIt(backend, cancelled);
        } finally {
            backend.stepObserver = StepObserver.NONE;
        }


        // a short answer runs to its end, with an edited system prompt
        WebElement system = driver.findElement(By.id("system"));
        system.clear();
        system.sendKeys("You are a terse triage nurse.");
        WebElement max = driver.findElement(By.id("max-tokens"));
        max.clear();
        max.sendKeys("12");
        ask("And for meningitis?");
        until(d -> driver.findElements(By.cssSelector("#messages .msg.assistant")).size() == 2
                && "true".equals(lastAnswer().getAttribute("data-done")));
        assertFalse(lastAnswer().getAttribute("class").contains("error"), lastAnswer().getText());
        assertFalse(text(lastAnswer()).isBlank());
        assertEquals("12 tokens", driver.findElement(By.id("status")).getText());
        assertEquals(4, driver.findElements(By.cssSelector("#messages .msg")).size());
        assertTrue(driver.findElement(By.id("notice")).isDisplayed(), "the notice stays visible");
    }
}
