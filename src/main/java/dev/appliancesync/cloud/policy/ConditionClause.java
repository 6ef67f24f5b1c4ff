package dev.appliancesync.cloud.policy;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * One key under one operator of a Condition block, with IAM's semantics for a single-valued key: a positive operator
 * holds when the key's value matches any of the values; a negated one when it matches none. A key missing from the
 * request makes positive operators false and negated ones true, and any operator with IfExists true.
 */
record ConditionClause(ConditionOperator operator, boolean ifExists, String key, List<WildcardPattern> values) {

    ConditionClause {
        values = List.copyOf(values);
    }

    Match holds(Function<String, String> context) {
        int[][] resolved = new int[values.size()][];
        for (int i = 0; i < resolved.length; i++) {
            resolved[i] = values.get(i).resolve(context);
            if (resolved[i] == null) {
                return Match.UNRESOLVED;
            }
        }
        String actual = context.apply(key);
        if (actual == null) {
            return ifExists || operator.negated ? Match.YES : Match.NO;
        }
        int[] text = WildcardPattern.toCodePoints(operator.ignoreCase ? actual.toLowerCase(Locale.ROOT) : actual);
        boolean any = false;
        for (int i = 0; i < resolved.length && !any; i++) {
            any = WildcardPattern.matches(resolved[i], text, 0, text.length);
        }
        return any != operator.negated ? Match.YES : Match.NO;
    }
}
