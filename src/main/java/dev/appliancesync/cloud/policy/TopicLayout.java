package dev.appliancesync.cloud.policy;

/**
 * The topic shapes of {@link IotPolicyCompiler}'s specification, as IoT policy resource patterns. Nothing else in the
 * compiler spells a topic.
 */
final class TopicLayout {

    /** Roots under which each thing has a namespace of its own: {@code <root><thing>/...}. */
    static final String SHADOW_ROOT = "$aws/things/";
    static final String APPLIANCE_ROOT = "appliances/";
    static final String[] ROOTS = { SHADOW_ROOT, APPLIANCE_ROOT };

    static final String SHADOW_UPDATE = "/shadow/update";
    static final String COMMANDS = "/commands";

    private TopicLayout() {
    }

    /** Every topic below the thing's level: {@code <root>T/...}. T has no '/', '*' or '?', so this is exact. */
    static String thingNamespace(String root, String thingName) {
        return root + thingName + "/*";
    }

    /**
     * Every topic below the level of any thing named {@code P-...}: {@code P-*} then a '/'. Since '*' crosses '/',
     * the thing level is everything up to the first '/', which starts with {@code P-}: only the household's things
     * (present and future) are named so.
     */
    static String householdNamespace(String root, String prefix) {
        return root + prefix + "-*/*";
    }

    static String shadowUpdate(String thingName) {
        return SHADOW_ROOT + thingName + SHADOW_UPDATE;
    }

    static String commands(String thingName) {
        return APPLIANCE_ROOT + thingName + COMMANDS;
    }

    /**
     * {@code $aws/things/P-*}{@code /shadow/update}: also matches topics with extra levels between the thing and
     * {@code /shadow/update} (a named shadow called "shadow", a job called "shadow", ...). {@link #extraLevelsBefore}
     * carves those out with a Deny.
     */
    static String householdShadowUpdate(String prefix) {
        return SHADOW_ROOT + prefix + "-*" + SHADOW_UPDATE;
    }

    static String householdCommands(String prefix) {
        return APPLIANCE_ROOT + prefix + "-*" + COMMANDS;
    }

    /**
     * {@code <root>*}{@code /*<suffix>}: a topic with at least one level between the thing level and the suffix. A
     * specified publish topic {@code <root>T<suffix>} never matches (T has no '/'), every over-match of the household
     * publish wildcards does; so a Deny on this leaves exactly the specified topics.
     */
    static String extraLevelsBefore(String root, String suffix) {
        return root + "*/*" + suffix;
    }
}
