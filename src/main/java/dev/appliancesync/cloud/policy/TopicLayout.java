package dev.appliancesync.cloud.policy;

import dev.appliancesync.cloud.topics.AppTopics;

/**
 * The topic shapes of {@link IotPolicyCompiler}'s specification, as IoT policy resource patterns, built on
 * {@link AppTopics} (the one place the layout is spelled). Nothing else in the compiler spells a topic.
 */
final class TopicLayout {

    /** Several connections per user (phone, tablet): any client id {@code <identity id>-...}. */
    static final String CONNECT_RESOURCE = "client/${cognito-identity.amazonaws.com:sub}-*";

    private TopicLayout() {
    }

    /** {@code view/things/T/<channel>}, exactly: T has no '*', '?' or '$' (CloudNames.THING_NAME). */
    static String thing(String thingName, AppTopics.Channel channel) {
        return AppTopics.ofThing(thingName, channel);
    }

    /**
     * {@code view/households/P/<channel>/*}: everything below the household's channel. Only the service publishes
     * under {@code view/}, and it publishes there only P's appliances' messages of that channel, so this is exact.
     */
    static String household(String prefix, AppTopics.Channel channel) {
        return AppTopics.householdChannel(prefix, channel) + "*";
    }
}
