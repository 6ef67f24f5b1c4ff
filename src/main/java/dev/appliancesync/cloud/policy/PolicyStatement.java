package dev.appliancesync.cloud.policy;

import java.util.List;

/** One statement of a compiled document: its kind's effect and action on these resource ARNs. */
record PolicyStatement(StatementKind kind, List<String> resources) {

    PolicyStatement {
        resources = List.copyOf(resources);
    }
}
