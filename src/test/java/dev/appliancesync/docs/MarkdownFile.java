package dev.appliancesync.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One Markdown file of the repository, read as GitHub shows it: headings (outside code blocks), links, sections. */
record MarkdownFile(Path path, String text) {

    private static final Pattern HEADING = Pattern.compile("^(#{1,6}) (.+)$");
    /** An inline link or image, {@code [text](target)}; the target ends at the first space or closing parenthesis. */
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

    static MarkdownFile read(Path path) {
        try {
            return new MarkdownFile(path, Files.readString(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The headings' texts, in order, without the code blocks' lines that start with #. */
    List<String> headings() {
        List<String> headings = new ArrayList<>();
        boolean inCode = false;
        for (String line : text.split("\n")) {
            if (line.stripLeading().startsWith("```")) {
                inCode = !inCode;
            } else if (!inCode) {
                Matcher heading = HEADING.matcher(line);
                if (heading.matches()) {
                    headings.add(heading.group(2).strip());
                }
            }
        }
        return headings;
    }

    /** The anchors GitHub gives the headings (a repeated heading's second anchor, {@code -1}, is not needed here). */
    Set<String> anchors() {
        Set<String> anchors = new LinkedHashSet<>();
        for (String heading : headings()) {
            anchors.add(anchor(heading));
        }
        return anchors;
    }

    /** GitHub's anchor for a heading: lower case, punctuation dropped (but - and _), each space a hyphen. */
    static String anchor(String heading) {
        return heading.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
    }

    /** Every link target, as written. */
    List<String> links() {
        List<String> links = new ArrayList<>();
        Matcher link = LINK.matcher(text);
        while (link.find()) {
            links.add(link.group(1));
        }
        return links;
    }

    /** The text under a level-2 heading, up to the next level-2 heading. */
    String section(String heading) {
        int start = text.indexOf("\n## " + heading + "\n");
        if (start < 0) {
            throw new AssertionError(path + " has no section '## " + heading + "'");
        }
        int end = text.indexOf("\n## ", start + 4);
        return end < 0 ? text.substring(start) : text.substring(start, end);
    }
}
