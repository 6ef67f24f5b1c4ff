package dev.appliancesync.cloud.policy;

/**
 * The answer of a policy evaluation and the statement that decided it: the first Deny that applies (explicit deny wins
 * over any Allow), else the first Allow that applies; an implicit deny names none ({@code null} / -1).
 */
public record Decision(boolean allowed, String reason, String policyName, int statementIndex, String statementSid) {

    public static final String ALLOW = "ALLOW";
    public static final String EXPLICIT_DENY = "EXPLICIT_DENY";
    public static final String IMPLICIT_DENY = "IMPLICIT_DENY";

    static Decision allow(ParsedPolicy policy, ParsedStatement statement) {
        return new Decision(true, ALLOW, policy.name(), statement.index(), statement.sid());
    }

    static Decision explicitDeny(ParsedPolicy policy, ParsedStatement statement) {
        return new Decision(false, EXPLICIT_DENY, policy.name(), statement.index(), statement.sid());
    }

    static Decision implicitDeny() {
        return new Decision(false, IMPLICIT_DENY, null, -1, null);
    }
}
