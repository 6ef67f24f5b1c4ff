package dev.appliancesync.cloud.policy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * A policy string: literal text, the wildcards {@code *} (any run of characters, '/' and ':' included) and {@code ?}
 * (exactly one character), and policy variables {@code ${name}} whose values count as literal text. {@code ${*}},
 * {@code ${?}} and {@code ${$}} stand for the literal characters. MQTT's '+' and '#' are ordinary characters here.
 */
final class WildcardPattern {

    /** Code points of a resolved pattern are characters, or one of these two. */
    private static final int ANY_RUN = -1;
    private static final int ANY_ONE = -2;

    private sealed interface Part permits Literal, Wildcard, Variable {
    }

    private record Literal(String text) implements Part {
    }

    private record Wildcard(int token) implements Part {
    }

    private record Variable(String name) implements Part {
    }

    private final List<Part> parts;
    private final boolean ignoreCase;
    /** The resolved form when there are no variables: most patterns, resolved once. */
    private final int[] constant;

    private WildcardPattern(List<Part> parts, boolean ignoreCase) {
        this.parts = parts;
        this.ignoreCase = ignoreCase;
        this.constant = parts.stream().noneMatch(Variable.class::isInstance) ? resolve(name -> null) : null;
    }

    /**
     * @param wildcards whether '*' and '?' are wildcards (StringEquals takes them literally)
     * @param variables whether {@code ${...}} is a variable (policy language 2012-10-17) or literal text
     */
    static WildcardPattern parse(String text, boolean wildcards, boolean variables, boolean ignoreCase) {
        List<Part> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            int end = variables && text.startsWith("${", i) ? text.indexOf('}', i + 2) : -1;
            if (end > 0) {
                String name = text.substring(i + 2, end);
                if (name.equals("*") || name.equals("?") || name.equals("$")) {
                    literal.append(name);
                } else {
                    flush(literal, parts);
                    parts.add(new Variable(name));
                }
                i = end + 1;
            } else if (wildcards && (c == '*' || c == '?')) {
                flush(literal, parts);
                parts.add(new Wildcard(c == '*' ? ANY_RUN : ANY_ONE));
                i++;
            } else {
                literal.append(c);
                i++;
            }
        }
        flush(literal, parts);
        return new WildcardPattern(List.copyOf(parts), ignoreCase);
    }

    private static void flush(StringBuilder literal, List<Part> parts) {
        if (!literal.isEmpty()) {
            parts.add(new Literal(literal.toString()));
            literal.setLength(0);
        }
    }

    /** The pattern with its variables' values filled in, or null when one of them has no value. */
    int[] resolve(Function<String, String> variables) {
        if (constant != null) {
            return constant;
        }
        List<int[]> pieces = new ArrayList<>();
        for (Part part : parts) {
            switch (part) {
                case Literal literal -> pieces.add(codePoints(literal.text()));
                case Wildcard wildcard -> pieces.add(new int[] { wildcard.token() });
                case Variable variable -> {
                    String value = variables.apply(variable.name());
                    if (value == null) {
                        return null;
                    }
                    pieces.add(codePoints(value));
                }
            }
        }
        return pieces.stream().flatMapToInt(Arrays::stream).toArray();
    }

    /** The code points a pattern is matched against (lower-cased when the pattern ignores case). */
    private int[] codePoints(String text) {
        return toCodePoints(ignoreCase ? text.toLowerCase(Locale.ROOT) : text);
    }

    /** As String.codePoints().toArray(), without a stream: this runs for every request. */
    static int[] toCodePoints(String text) {
        int[] codePoints = new int[text.length()];
        int count = 0;
        for (int i = 0; i < text.length(); i += Character.charCount(codePoints[count++])) {
            codePoints[count] = text.codePointAt(i);
        }
        return count == codePoints.length ? codePoints : Arrays.copyOf(codePoints, count);
    }

    /** Whether the resolved pattern matches text[from, to). */
    static boolean matches(int[] pattern, int[] text, int from, int to) {
        int p = 0;
        int t = from;
        int star = -1;
        int starText = 0;
        while (t < to) {
            if (p < pattern.length && (pattern[p] == ANY_ONE || pattern[p] == text[t])) {
                p++;
                t++;
            } else if (p < pattern.length && pattern[p] == ANY_RUN) {
                if (p == pattern.length - 1) {
                    return true; // a trailing '*' takes whatever is left
                }
                star = p++;
                starText = t;
            } else if (star >= 0) {
                // Let the last '*' swallow one more character and retry from there.
                p = star + 1;
                t = ++starText;
            } else {
                return false;
            }
        }
        while (p < pattern.length && pattern[p] == ANY_RUN) {
            p++;
        }
        return p == pattern.length;
    }
}
