package dev.appliancesync.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * One version: the pom builds the changelog's top entry (X.Y.Z-SNAPSHOT while it is "X.Y.Z (unreleased)", X.Y.Z once
 * released), which comes after the last release, and the README names both and no other version of ours. When a
 * release ships, all three change together, or this fails.
 */
class VersionAgreementTest {

    private static final Pattern ENTRY = Pattern.compile("^(\\d+)\\.(\\d+)\\.(\\d+)( \\(unreleased\\))?$");
    /** A version of this project as the README would write it (other products' versions have another shape). */
    private static final Pattern IMAGE_TAG = Pattern.compile("/appliance-sync:([^\\s`]+)");
    private static final Pattern OUR_VERSION = Pattern.compile("\\b0\\.\\d+\\.\\d+(?:-SNAPSHOT)?\\b");

    @Test
    void thePomBuildsTheChangelogsTopEntry() throws Exception {
        String pom = pomVersion();
        List<String> entries = changelogEntries();

        String top = entries.getFirst();
        if (pom.endsWith("-SNAPSHOT")) {
            assertThat(top).as("CHANGELOG.md's top entry for pom version %s", pom)
                    .isEqualTo(pom.substring(0, pom.length() - "-SNAPSHOT".length()) + " (unreleased)");
        } else {
            assertThat(top).as("CHANGELOG.md's top entry for pom version %s", pom).isEqualTo(pom);
        }
        assertThat(entries).as("changelog entries").allSatisfy(entry -> assertThat(entry).matches(ENTRY));
        assertThat(entries.stream().filter(entry -> entry.endsWith("(unreleased)")).count())
                .as("unreleased entries").isLessThanOrEqualTo(1);
        for (int i = 1; i < entries.size(); i++) {
            assertThat(compare(entries.get(i - 1), entries.get(i)))
                    .as("%s comes after %s (newest first)", entries.get(i - 1), entries.get(i)).isPositive();
        }
    }

    @Test
    void theReadmeNamesThePomsVersionAndTheLastRelease() throws Exception {
        String pom = pomVersion();
        List<String> entries = changelogEntries();
        String lastRelease = entries.stream().filter(entry -> !entry.endsWith("(unreleased)")).findFirst()
                .orElseThrow();
        String readme = MarkdownFile.read(DocsTest.README).text();

        assertThat(readme).as("README names the pom's version").contains("Version " + pom);
        if (pom.endsWith("-SNAPSHOT")) {
            assertThat(readme).as("README names the last release").contains("release " + lastRelease);
        }
        Matcher versions = OUR_VERSION.matcher(readme);
        while (versions.find()) {
            assertThat(versions.group()).as("a version the README names").isIn(pom, lastRelease);
        }
    }

    @Test
    void theImageTheDocsBuildIsTaggedWithThePomsVersion() throws Exception {
        String pom = pomVersion();
        int tags = 0;
        for (Path doc : DocsTest.topicDocs()) {
            Matcher tag = IMAGE_TAG.matcher(MarkdownFile.read(doc).text());
            while (tag.find()) {
                assertThat(tag.group(1)).as("the image tag in %s", doc).isEqualTo(pom);
                tags++;
            }
        }
        assertThat(tags).as("image tags in docs/").isPositive();
    }

    /** project/version of pom.xml, read from the file as Maven reads it (not the parent's, not a dependency's). */
    static String pomVersion() throws Exception {
        Element project = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("pom.xml").toFile())
                .getDocumentElement();
        for (Node child = project.getFirstChild(); child != null; child = child.getNextSibling()) {
            if (child instanceof Element element && element.getTagName().equals("version")) {
                return element.getTextContent().strip();
            }
        }
        throw new AssertionError("pom.xml has no project/version");
    }

    /** The level-2 headings of CHANGELOG.md, newest first: "0.6.0 (unreleased)", "0.5.0", ... */
    static List<String> changelogEntries() {
        List<String> entries = MarkdownFile.read(DocsTest.CHANGELOG).text().lines().filter(line -> line.startsWith("## "))
                .map(line -> line.substring(3).strip()).toList();
        assertThat(entries).as("CHANGELOG.md's entries").isNotEmpty();
        return entries;
    }

    private static int compare(String newer, String older) {
        Matcher a = matched(newer);
        Matcher b = matched(older);
        for (int group = 1; group <= 3; group++) {
            int difference = Integer.compare(Integer.parseInt(a.group(group)), Integer.parseInt(b.group(group)));
            if (difference != 0) {
                return difference;
            }
        }
        return 0;
    }

    private static Matcher matched(String entry) {
        Matcher matcher = ENTRY.matcher(entry);
        assertThat(matcher.matches()).as("a changelog entry: %s", entry).isTrue();
        return matcher;
    }
}
