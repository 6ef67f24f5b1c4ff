package dev.appliancesync.cloud.policy;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * The principal tags the identity-pool role gates on (src/main/resources/cloud/identity-pool-role-policy.json). They
 * travel as Cognito user attributes that the identity pool maps to principal tags, so they only change when the user
 * gets new credentials; the IoT policies are the precise lock, the tags a coarse second one that stays shut for a
 * whole class of topic (everything, or the settings views) the user holds nowhere. Apps never publish, so no tag opens
 * publishing. The Cognito attribute {@code custom:iot_commands} of earlier versions stays in the user pool (custom
 * attributes cannot be deleted) but is no longer written, mapped to a tag or read.
 */
public final class CloudPrincipalTags {

    /** {@code none} (no IoT at all) or {@code view} (connect, subscribe, receive the status views). */
    public static final String ACCESS = "iot_access";
    /** {@code true} when some grant has ADJUST_SETTINGS: the role lets the user read the settings views. */
    public static final String SETTINGS = "iot_settings";

    public static final String NONE = "none";
    public static final String VIEW = "view";

    /** IAM's rules for tag keys and values. */
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9 _.:/=+\\-@]{1,128}");
    private static final Pattern VALUE = Pattern.compile("[A-Za-z0-9 _.:/=+\\-@]{0,256}");

    private CloudPrincipalTags() {
    }

    static Map<String, String> of(EffectiveGrants grants) {
        boolean settings = grants.anywhere(CloudPermission.ADJUST_SETTINGS);
        return validated(Map.of(ACCESS, grants.isEmpty() ? NONE : VIEW, SETTINGS, Boolean.toString(settings)));
    }

    /** Returns the tags when every key and value is one IAM accepts, else throws. */
    public static Map<String, String> validated(Map<String, String> tags) {
        tags.forEach((key, value) -> {
            if (!KEY.matcher(key).matches() || key.regionMatches(true, 0, "aws:", 0, 4)) {
                throw new IllegalArgumentException("not a valid principal tag key: " + key);
            }
            if (!VALUE.matcher(value).matches()) {
                throw new IllegalArgumentException("not a valid value for principal tag " + key + ": " + value);
            }
        });
        return tags;
    }
}
