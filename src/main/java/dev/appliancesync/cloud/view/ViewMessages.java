package dev.appliancesync.cloud.view;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import dev.appliancesync.change.Audience;
import dev.appliancesync.change.ChangeRecord;
import dev.appliancesync.change.ChangeType;
import dev.appliancesync.cloud.topics.AppTopics.Channel;
import dev.appliancesync.cloud.topics.AppTopics;
import dev.appliancesync.realtime.ChangeVisibility;
import io.vertx.core.json.JsonObject;

/**
 * What the view topics carry for one change-log entry. Each message is the item the {@code changes} subscription
 * gives a user with that channel's capability, with the same field names ({@code cursor}, {@code type}, {@code at},
 * {@code applianceId}, {@code data}); {@code data} is a JSON object here rather than a string.
 * <ul>
 * <li>status (VIEW_STATUS): DEVICE_STATE without {@code desired} (the rule of {@link ChangeVisibility}),
 * DEVICE_PRESENCE, DEVICE_EVENT;</li>
 * <li>settings (ADJUST_SETTINGS): DEVICE_STATE with {@code desired}, when the shadow has desired settings.</li>
 * </ul>
 * Each goes to the thing's topic and, while the appliance is in a household, to the household's topic too.
 */
final class ViewMessages {

    /** The entries the view carries: the device's own reports, nothing about people or access. */
    static final Set<ChangeType> TYPES = Set.of(ChangeType.DEVICE_STATE, ChangeType.DEVICE_PRESENCE,
            ChangeType.DEVICE_EVENT);

    private ViewMessages() {
    }

    static boolean carried(ChangeRecord change) {
        return change.audience() == Audience.APPLIANCE && TYPES.contains(change.type());
    }

    /** The messages for {@code change} (one the view carries), in the order they are published. */
    static List<ViewMessage> of(ChangeRecord change, Placement placement) {
        List<ViewMessage> messages = new ArrayList<>(4);
        add(messages, placement, Channel.STATUS, message(change, ChangeVisibility.withoutSettings(change.payload())));
        if (change.type() == ChangeType.DEVICE_STATE
                && ChangeVisibility.settingsIn(change.payload()) != null) {
            add(messages, placement, Channel.SETTINGS, message(change, change.payload()));
        }
        return messages;
    }

    private static void add(List<ViewMessage> messages, Placement placement, Channel channel, byte[] payload) {
        messages.add(new ViewMessage(AppTopics.ofThing(placement.thingName(), channel), payload));
        if (placement.householdPrefix() != null) {
            messages.add(new ViewMessage(
                    AppTopics.ofHousehold(placement.householdPrefix(), channel, placement.thingName()), payload));
        }
    }

    private static byte[] message(ChangeRecord change, JsonObject data) {
        return new JsonObject().put("cursor", change.cursor()).put("type", change.type().name())
                .put("at", change.at().toString()).put("applianceId", change.applianceId().toString())
                .put("data", data).encode().getBytes(StandardCharsets.UTF_8);
    }
}
