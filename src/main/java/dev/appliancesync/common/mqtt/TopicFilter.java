package dev.appliancesync.common.mqtt;

/**
 * An MQTT topic filter as subscribed ({@code $share/<group>/} included or not), and which topics it matches: the
 * broker delivers a shared subscription's messages with their own topic, so the share prefix takes no part.
 */
public record TopicFilter(String subscription) {

    private static final String SHARE = "$share/";

    public TopicFilter {
        if (subscription.startsWith(SHARE) && subscription.indexOf('/', SHARE.length()) < 0) {
            throw new IllegalArgumentException("A shared subscription needs a group and a filter: " + subscription);
        }
    }

    /** {@code filter} as a shared subscription of {@code group}. */
    public static TopicFilter shared(String group, String filter) {
        return new TopicFilter(SHARE + group + "/" + filter);
    }

    /** The filter without its share prefix. */
    public String filter() {
        return subscription.startsWith(SHARE) ? subscription.substring(subscription.indexOf('/', SHARE.length()) + 1)
                : subscription;
    }

    public boolean matches(String topic) {
        String[] filter = filter().split("/", -1);
        String[] levels = topic.split("/", -1);
        // Wildcards at the first level do not match the broker's reserved topics (MQTT 3.1.1, 4.7.2).
        if (topic.startsWith("$") && (filter[0].equals("+") || filter[0].equals("#"))) {
            return false;
        }
        for (int i = 0; i < filter.length; i++) {
            if (filter[i].equals("#")) {
                return true;
            }
            if (i >= levels.length || !(filter[i].equals("+") || filter[i].equals(levels[i]))) {
                return false;
            }
        }
        return filter.length == levels.length;
    }
}
