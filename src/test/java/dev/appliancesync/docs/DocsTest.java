package dev.appliancesync.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README stays a front door (short, every topic linked), the docs stay connected (no link into a file or heading
 * that moved), and the test command a newcomer reads is the one CI runs.
 */
class DocsTest {

    static final Path README = Path.of("README.md");
    static final Path CHANGELOG = Path.of("CHANGELOG.md");
    static final Path DOCS = Path.of("docs");
    /** Past this the README turns into a manual again: the detail belongs in docs/. */
    private static final long README_MAX_BYTES = 12 * 1024;
    private static final Pattern SHELL_BLOCK = Pattern.compile("```bash\n(.+?)\n```", Pattern.DOTALL);

    @Test
    void theReadmeStaysUnder12KiB() throws IOException {
        assertThat(Files.size(README)).as("README.md in bytes").isLessThan(README_MAX_BYTES);
    }

    @Test
    void theReadmeLinksEveryTopicOfDocs() throws IOException {
        List<String> readmeLinks = MarkdownFile.read(README).links();
        for (Path doc : topicDocs()) {
            assertThat(readmeLinks).as("README links %s", doc)
                    .anySatisfy(link -> assertThat(link).startsWith(doc.toString()));
        }
        assertThat(readmeLinks).contains(CHANGELOG.toString());
    }

    @Test
    void everyRelativeLinkReachesAFileAndItsHeading() throws IOException {
        List<String> broken = new ArrayList<>();
        List<Path> files = new ArrayList<>(List.of(README, CHANGELOG));
        files.addAll(topicDocs());
        for (Path file : files) {
            MarkdownFile doc = MarkdownFile.read(file);
            for (String link : doc.links()) {
                if (link.matches("^[a-z]+:.*")) {
                    continue; // https:, mailto:: not ours to check offline
                }
                int hash = link.indexOf('#');
                String target = hash < 0 ? link : link.substring(0, hash);
                Path resolved = target.isEmpty() ? file : file.resolveSibling(target).normalize();
                if (!Files.exists(resolved)) {
                    broken.add(file + ": " + link + " (no " + resolved + ")");
                } else if (hash >= 0 && resolved.toString().endsWith(".md")
                        && !MarkdownFile.read(resolved).anchors().contains(link.substring(hash + 1))) {
                    broken.add(file + ": " + link + " (no such heading in " + resolved + ")");
                }
            }
        }
        assertThat(broken).as("links to files or headings that do not exist").isEmpty();
    }

    @Test
    void ciRunsTheTestCommandTheReadmeGives() throws IOException {
        Matcher block = SHELL_BLOCK.matcher(MarkdownFile.read(README).section("Test it"));
        assertThat(block.find()).as("a bash block under the README's \"Test it\"").isTrue();
        String command = block.group(1).strip();
        assertThat(command).as("one command").doesNotContain("\n");

        List<String> ci = Files.readAllLines(Path.of(".ci", "run")).stream()
                .filter(line -> !line.isBlank() && !line.startsWith("#")).toList();
        assertThat(ci).as(".ci/run").anySatisfy(line -> assertThat(line.replaceFirst("^exec ", "")).startsWith(command));

        Path script = Path.of(command.split(" ")[0]);
        assertThat(Files.isExecutable(script)).as("%s is executable", script).isTrue();
        assertThat(Files.readString(script)).as("%s runs the whole build", script).contains("./mvnw -B verify");
    }

    /** docs/*.md: one file per topic. */
    static List<Path> topicDocs() throws IOException {
        try (Stream<Path> files = Files.list(DOCS)) {
            return files.filter(f -> f.toString().endsWith(".md")).sorted().toList();
        }
    }
}
