package dev.appliancesync.cloud.topics;

import java.util.Objects;

/**
 * The topics apps read through AWS IoT Core directly: a view of the model that the service publishes, one topic per
 * capability. Apps never publish on IoT Core (the service could not tell an app's shadow update or command from the
 * device's, nor decide a command per command as {@code sendCommand} does); they subscribe here, and send settings and
 * commands through the API.
 *
 * <p>For an appliance whose thing name is T (thing names never change once registered):
 * <ul>
 * <li>{@code view/things/T/status}: what VIEW_STATUS shows (reported state, presence, events; never desired);</li>
 * <li>{@code view/things/T/settings}: what ADJUST_SETTINGS adds (the desired state);</li>
 * <li>{@code view/households/P/status/T}, {@code view/households/P/settings/T}: the same messages again while the
 * appliance is in the household with prefix P, so that one policy statement per household covers its appliances,
 * present and future (seed 004's prefix), without renaming any thing.</li>
 * </ul>
 *
 * <p>Only the service publishes under {@link #ROOT}: apps may not publish at all, and the device policy keeps devices
 * to their own thing's topics. This class is the one place the layout is spelled; the IoT policy compiler and the
 * service's publisher both build on it.
 */
public final class AppTopics {

    public static final String ROOT = "view/";
    public static final String THINGS = ROOT + "things/";
    public static final String HOUSEHOLDS = ROOT + "households/";

    /** What a topic carries, named after the capability that may read it. */
    public enum Channel {
        /** VIEW_STATUS: reported state, presence, events. */
        STATUS("status"),
        /** ADJUST_SETTINGS: the desired state. */
        SETTINGS("settings");

        private final String segment;

        Channel(String segment) {
            this.segment = segment;
        }

        public String segment() {
            return segment;
        }
    }

    private AppTopics() {
    }

    /** {@code view/things/T/<channel>}. */
    public static String ofThing(String thingName, Channel channel) {
        return THINGS + Objects.requireNonNull(thingName) + "/" + channel.segment();
    }

    /** {@code view/households/P/<channel>/T}. */
    public static String ofHousehold(String householdPrefix, Channel channel, String thingName) {
        return householdChannel(householdPrefix, channel) + Objects.requireNonNull(thingName);
    }

    /** {@code view/households/P/<channel>/}: everything below it is this household's channel and nothing else. */
    public static String householdChannel(String householdPrefix, Channel channel) {
        return HOUSEHOLDS + Objects.requireNonNull(householdPrefix) + "/" + channel.segment() + "/";
    }
}
