package dev.appliancesync.access;

import java.util.List;

/** The answer of the policies, with the ids of the policies that decided it (for the audit log). */
public record Decision(boolean allowed, List<String> policies) {

    public Decision {
        policies = List.copyOf(policies);
    }
}
