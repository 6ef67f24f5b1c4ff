package dev.appliancesync.cloud.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A Resource / NotResource entry. ARNs have six colon-separated segments
 * ({@code arn:partition:service:region:account:resource}, the last one may hold colons); each pattern segment is
 * matched against its own segment, so a wildcard in the region cannot reach into the account. The pattern's last
 * segment is matched against the rest of the ARN: that is how {@code *} (one segment) matches every ARN and
 * {@code arn:aws:iot:*} every IoT ARN, as in IAM.
 */
final class ArnPattern {

    private static final int SEGMENTS = 6;

    private final List<WildcardPattern> segments;
    /** The resolved segments when none holds a variable: most patterns, resolved once. */
    private final int[][] constant;

    private ArnPattern(List<WildcardPattern> segments) {
        this.segments = segments;
        this.constant = resolve(name -> null);
    }

    /** The segments with their variables' values filled in, or null when one of them has no value. */
    private int[][] resolve(Function<String, String> variables) {
        int[][] resolved = new int[segments.size()][];
        for (int i = 0; i < resolved.length; i++) {
            resolved[i] = segments.get(i).resolve(variables);
            if (resolved[i] == null) {
                return null;
            }
        }
        return resolved;
    }

    static ArnPattern parse(String text, boolean variables) {
        List<WildcardPattern> segments = new ArrayList<>();
        int start = 0;
        int i = 0;
        while (i < text.length() && segments.size() < SEGMENTS - 1) {
            if (variables && text.startsWith("${", i) && text.indexOf('}', i) > 0) {
                i = text.indexOf('}', i) + 1; // a variable's name may hold ':' (cognito-identity.amazonaws.com:sub)
            } else if (text.charAt(i) == ':') {
                segments.add(WildcardPattern.parse(text.substring(start, i), true, variables, false));
                start = ++i;
            } else {
                i++;
            }
        }
        segments.add(WildcardPattern.parse(text.substring(start), true, variables, false));
        return new ArnPattern(List.copyOf(segments));
    }

    /** A requested resource, split once for all the patterns it is matched against. */
    record Target(int[] codePoints, int[] segmentStarts) {

        static Target of(String arn) {
            int[] codePoints = WildcardPattern.toCodePoints(arn);
            int[] starts = new int[SEGMENTS];
            int count = 1;
            for (int i = 0; i < codePoints.length && count < SEGMENTS; i++) {
                if (codePoints[i] == ':') {
                    starts[count++] = i + 1;
                }
            }
            int[] segmentStarts = new int[count];
            System.arraycopy(starts, 0, segmentStarts, 0, count);
            return new Target(codePoints, segmentStarts);
        }

        int segments() {
            return segmentStarts.length;
        }

        int start(int segment) {
            return segmentStarts[segment];
        }

        /** Where segment ends (before its colon); the last segment of a pattern takes the rest of the ARN. */
        int end(int segment, boolean rest) {
            return rest || segment + 1 >= segmentStarts.length ? codePoints.length : segmentStarts[segment + 1] - 1;
        }
    }

    Match matches(Target target, Function<String, String> variables) {
        int[][] resolved = constant != null ? constant : resolve(variables);
        if (resolved == null) {
            return Match.UNRESOLVED;
        }
        if (target.segments() < resolved.length) {
            return Match.NO;
        }
        // Last segment first: it is where patterns differ, the header (partition, region, account) rarely does.
        for (int i = resolved.length - 1; i >= 0; i--) {
            boolean last = i == resolved.length - 1;
            if (!WildcardPattern.matches(resolved[i], target.codePoints(), target.start(i), target.end(i, last))) {
                return Match.NO;
            }
        }
        return Match.YES;
    }
}
