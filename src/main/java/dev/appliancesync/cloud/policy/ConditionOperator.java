package dev.appliancesync.cloud.policy;

import java.util.Arrays;

/** The IAM string (and Bool) condition operators the evaluators support; any other operator is refused when parsing. */
enum ConditionOperator {
    STRING_EQUALS("StringEquals", false, false, false),
    STRING_NOT_EQUALS("StringNotEquals", true, false, false),
    STRING_EQUALS_IGNORE_CASE("StringEqualsIgnoreCase", false, false, true),
    STRING_NOT_EQUALS_IGNORE_CASE("StringNotEqualsIgnoreCase", true, false, true),
    STRING_LIKE("StringLike", false, true, false),
    STRING_NOT_LIKE("StringNotLike", true, true, false),
    /** IAM's Bool: "true" or "false", as IoT's iot:Connection.Thing.IsAttached is asked. */
    BOOL("Bool", false, false, true);

    private static final String IF_EXISTS = "IfExists";

    final String jsonName;
    /** True for the Not operators: true when no value matches, and when the key is missing. */
    final boolean negated;
    /** Whether '*' and '?' in the values are wildcards. */
    final boolean wildcards;
    final boolean ignoreCase;

    ConditionOperator(String jsonName, boolean negated, boolean wildcards, boolean ignoreCase) {
        this.jsonName = jsonName;
        this.negated = negated;
        this.wildcards = wildcards;
        this.ignoreCase = ignoreCase;
    }

    /** A parsed operator name: the operator and whether it carries the IfExists suffix. */
    record Parsed(ConditionOperator operator, boolean ifExists) {
    }

    static Parsed parse(String name) {
        boolean ifExists = name.endsWith(IF_EXISTS);
        String base = ifExists ? name.substring(0, name.length() - IF_EXISTS.length()) : name;
        return Arrays.stream(values()).filter(operator -> operator.jsonName.equals(base)).findFirst()
                .map(operator -> new Parsed(operator, ifExists))
                .orElseThrow(() -> new IllegalArgumentException("unsupported condition operator: " + name));
    }
}
