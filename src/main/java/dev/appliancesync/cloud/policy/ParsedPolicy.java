package dev.appliancesync.cloud.policy;

import java.util.List;

/** A named policy document, parsed. */
record ParsedPolicy(String name, List<ParsedStatement> statements) {

    ParsedPolicy {
        statements = List.copyOf(statements);
    }
}
