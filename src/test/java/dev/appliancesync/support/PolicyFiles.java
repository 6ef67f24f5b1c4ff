package dev.appliancesync.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.appliancesync.access.PolicyStore;

/**
 * Operator policy files, written into the directory the test profile watches ({@code target/test-policies}, checked
 * every 200 ms) as an operator would drop them there; deleted again, and their effect awaited gone, by
 * {@link #deleteAll()}, so that nothing of one test stays in force for the next.
 */
public final class PolicyFiles {

    public static final Path DIR = Path.of("target/test-policies");
    public static final Duration WAIT = Duration.ofSeconds(10);

    private final PolicyStore store;
    private final List<Path> written = new ArrayList<>();

    public PolicyFiles(PolicyStore store) {
        this.store = store;
    }

    /** Writes {@code name} (a *.cedar file) and returns its path; does not wait for it to load. */
    public Path write(String name, String text) {
        try {
            Files.createDirectories(DIR);
            Path file = DIR.resolve(name);
            written.add(file);
            Files.writeString(file, text, StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code name} and waits until the policy set in force includes it. */
    public Path writeInForce(String name, String text) {
        Path file = write(name, text);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            assertThat(store.lastError()).as("the policy directory loads").isEmpty();
            assertThat(store.current().sources()).contains(name);
        });
        return file;
    }

    /** Deletes every file written here and waits until none of them is in force any more. */
    public void deleteAll() throws IOException {
        List<String> names = written.stream().map(p -> p.getFileName().toString()).toList();
        for (Path file : written) {
            Files.deleteIfExists(file);
        }
        written.clear();
        if (names.isEmpty()) {
            return;
        }
        await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            assertThat(store.current().sources()).doesNotContainAnyElementsOf(names);
            assertThat(store.lastError()).isEmpty();
        });
    }
}
