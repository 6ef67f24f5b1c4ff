package dev.appliancesync.deploy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the deploy files must follow in the Markdown docs: the settings their tables document (docs/configuration.md),
 * the IAM actions they list, a paragraph by a phrase.
 */
final class MarkdownDocs {

    /** An environment variable in backquotes, or the docs' short form for a sibling ({@code `..._MAX_BACKOFF`}). */
    private static final Pattern SETTING = Pattern.compile("`((?:\\.\\.\\.)?_?[A-Z][A-Z0-9_]*)`");
    private static final Pattern FIRST_CODE = Pattern.compile("`([^`]+)`");

    private MarkdownDocs() {
    }

    /**
     * The settings documented in a document's tables (the first cell of each row), each with its example or default
     * (the first code span of the second cell, or "" without one). {@code `A_B_C`, `..._D`} is A_B_C and A_B_D: the
     * short form replaces as many trailing words of the first name as it has.
     */
    static Map<String, String> documentedSettings(String document) {
        Map<String, String> settings = new LinkedHashMap<>();
        for (String line : document.split("\n")) {
            if (!line.startsWith("|") || line.startsWith("| ---")) {
                continue;
            }
            String[] cells = line.split("\\|");
            if (cells.length < 3) {
                continue;
            }
            Matcher example = FIRST_CODE.matcher(cells[2]);
            String value = example.find() ? example.group(1) : "";
            String first = null;
            Matcher names = SETTING.matcher(cells[1]);
            while (names.find()) {
                String name = names.group(1);
                if (name.startsWith("...")) {
                    if (first == null) {
                        throw new AssertionError("docs: " + name + " without a full name before it: " + line);
                    }
                    String suffix = name.substring(4);
                    String[] firstWords = first.split("_");
                    int keep = firstWords.length - suffix.split("_").length;
                    name = String.join("_", List.of(firstWords).subList(0, keep)) + "_" + suffix;
                } else {
                    first = name;
                }
                settings.put(name, value);
            }
        }
        return settings;
    }

    /** Every code span of a paragraph that looks like an IAM action ({@code service:Action}). */
    static List<String> iamActions(String paragraph) {
        List<String> actions = new ArrayList<>();
        Matcher matcher = Pattern.compile("`((?:iot|cognito-idp|cognito-identity):[A-Za-z]+)`").matcher(paragraph);
        while (matcher.find()) {
            actions.add(matcher.group(1));
        }
        return actions;
    }

    /** The paragraph (text between blank lines) of a document that contains a phrase. */
    static String paragraphWith(String document, String phrase) {
        for (String paragraph : document.split("\n\n")) {
            if (paragraph.contains(phrase)) {
                return paragraph;
            }
        }
        throw new AssertionError("docs: no paragraph with '" + phrase + "'");
    }
}
