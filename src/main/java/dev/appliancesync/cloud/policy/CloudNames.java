package dev.appliancesync.cloud.policy;

import java.util.regex.Pattern;

/**
 * The shapes of the names that end up inside policy documents. They are checked before anything is compiled because
 * a name carrying an IoT wildcard ({@code *}, {@code ?}), a variable ({@code $}) or a topic separator ({@code /})
 * would silently widen a policy.
 */
final class CloudNames {

    /** IoT thing names, as the database enforces them. */
    static final Pattern THING_NAME = Pattern.compile("[A-Za-z0-9:_-]{1,128}");
    /** Household prefixes (households.thing_prefix): a level of the household's view topics. */
    static final Pattern HOUSEHOLD_PREFIX = Pattern.compile("[a-z0-9]{8}");
    /** IoT policy names (CreatePolicy). */
    static final Pattern POLICY_NAME = Pattern.compile("[\\w+=,.@-]{1,128}");
    static final Pattern POLICY_NAME_PREFIX = Pattern.compile("[\\w+=,.@-]{0,100}");
    static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-[0-9]{1,2}");
    static final Pattern ACCOUNT_ID = Pattern.compile("[0-9]{12}");

    private CloudNames() {
    }

    static String require(Pattern pattern, String value, String what) {
        if (value == null || !pattern.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " must match " + pattern.pattern() + ": " + value);
        }
        return value;
    }
}
