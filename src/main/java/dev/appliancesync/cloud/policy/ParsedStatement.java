package dev.appliancesync.cloud.policy;

import java.util.List;
import java.util.function.Function;

/** A statement ready to be matched: its patterns parsed once, however many requests it is asked about. */
record ParsedStatement(int index, String sid, boolean deny, List<WildcardPattern> actions, boolean notAction,
        List<ArnPattern> resources, boolean notResource, List<ConditionClause> conditions) {

    ParsedStatement {
        actions = List.copyOf(actions);
        resources = List.copyOf(resources);
        conditions = List.copyOf(conditions);
    }

    /** Whether the statement applies to the request; UNRESOLVED when one of its variables has no value. */
    Match applies(int[] action, ArnPattern.Target resource, Function<String, String> context) {
        boolean actionListed = false;
        for (WildcardPattern pattern : actions) {
            int[] resolved = pattern.resolve(context); // actions hold no variables: resolved once, at parse time
            actionListed |= WildcardPattern.matches(resolved, action, 0, action.length);
        }
        if (actionListed == notAction) {
            return Match.NO;
        }
        boolean resourceListed = false;
        for (ArnPattern pattern : resources) {
            // Every entry is resolved, even after a match: an unresolved variable anywhere voids the statement.
            Match match = pattern.matches(resource, context);
            if (match == Match.UNRESOLVED) {
                return Match.UNRESOLVED;
            }
            resourceListed |= match == Match.YES;
        }
        if (resourceListed == notResource) {
            return Match.NO;
        }
        for (ConditionClause condition : conditions) {
            Match holds = condition.holds(context);
            if (holds != Match.YES) {
                return holds;
            }
        }
        return Match.YES;
    }
}
