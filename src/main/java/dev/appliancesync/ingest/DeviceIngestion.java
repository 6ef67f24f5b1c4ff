package dev.appliancesync.ingest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.appliancesync.appliance.ApplianceReleases;
import dev.appliancesync.common.db.DatabaseOutage;
import dev.appliancesync.common.db.Transactions;
import dev.appliancesync.common.metrics.ServiceMetrics;
import dev.appliancesync.change.Change;
import dev.appliancesync.change.ChangeLog;
import dev.appliancesync.appliance.ApplianceRepository;
import dev.appliancesync.change.ChangeType;
import dev.appliancesync.state.DeviceStateService;
import dev.appliancesync.state.PresenceRepository;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * Applies a batch of device messages in one transaction: states (latest-wins by version), presence (by the event's
 * time), self-provisioned appliances ({@link ProvisioningAnnouncements}: a device announces only itself, and no
 * registration is ever replaced), events (once per event id; FACTORY_RESET releases the appliance like a revoke of
 * everything). Every message is idempotent, so a QoS 1 redelivery changes nothing. A message that cannot be applied
 * is dead-lettered with the reason, in the batch's own transaction.
 * <p>
 * If the batch's transaction fails because the database is unavailable (unreachable, closed connections, no pooled
 * connection in time: {@link DatabaseOutage}), the batch fails as a whole and nothing is dead-lettered: the caller
 * keeps the messages unacknowledged and tries again. Any other failure is taken to be one message's doing: the messages
 * are then applied one at a time, so one poison message never holds back the others, and the one that fails on its
 * own is dead-lettered (PROCESSING_FAILED).
 * <p>
 * Known thing names are not looked up again ({@link ThingIds}): one round trip fewer per batch on a device's way to
 * the apps.
 */
@ApplicationScoped
public class DeviceIngestion {

    /** One MQTT message as it arrived. */
    public record Inbound(String topic, byte[] payload) {
    }

    private static final Logger LOG = Logger.getLogger(DeviceIngestion.class);

    private final Transactions db;
    private final DeviceMessageParser parser;
    private final DeviceStateService states;
    private final ApplianceReleases releases;
    private final ProvisioningAnnouncements announcements;
    private final ApplianceRepository appliances;
    private final PresenceRepository presences;
    private final DeviceEventRepository deviceEvents;
    private final ChangeLog changes;
    private final DeadLetters deadLetters;
    private final Timer batchTime;
    private final ThingIds thingIds;

    public DeviceIngestion(Transactions db, DeviceMessageParser parser, DeviceStateService states,
            ApplianceReleases releases, ProvisioningAnnouncements announcements, ApplianceRepository appliances,
            PresenceRepository presences, DeviceEventRepository deviceEvents, ChangeLog changes,
            DeadLetters deadLetters, IngestConfig config, ServiceMetrics metrics) {
        this.db = db;
        this.parser = parser;
        this.states = states;
        this.releases = releases;
        this.announcements = announcements;
        this.appliances = appliances;
        this.presences = presences;
        this.deviceEvents = deviceEvents;
        this.changes = changes;
        this.deadLetters = deadLetters;
        this.batchTime = metrics.ingestBatch();
        this.thingIds = new ThingIds(config.thingIdsRemembered());
    }

    /**
     * Applies the batch; completes when every message is applied or dead-lettered, all committed. Fails (with nothing
     * dead-lettered by this call that is not committed) when the database is unavailable or a dead letter could not be
     * written: the caller keeps the batch and applies it again, which is safe, every message being idempotent.
     */
    public Uni<Void> apply(List<Inbound> batch) {
        long started = System.nanoTime();
        return applyCommitted(batch)
                .onFailure(failure -> !DatabaseOutage.isCause(failure)).recoverWithUni(failure -> {
                    LOG.warnf("A batch of %d device messages failed (%s); applying them one at a time", batch.size(),
                            failure.getMessage());
                    thingIds.forgetAll();
                    return applyOneByOne(batch);
                })
                .invoke(() -> batchTime.record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS));
    }

    private Uni<Void> applyOneByOne(List<Inbound> batch) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Inbound message : batch) {
            chain = chain.chain(() -> applyCommitted(List.of(message))
                    .onFailure(failure -> !DatabaseOutage.isCause(failure))
                    .recoverWithUni(failure -> deadLetters.write(db.reads(), List.of(
                            new DeadLetters.Rejected(message.topic(), "PROCESSING_FAILED",
                                    String.valueOf(failure.getMessage()), message.payload())))));
        }
        return chain;
    }

    /** {@code batch} in one transaction; the thing names it looked up are remembered once it has committed. */
    private Uni<Void> applyCommitted(List<Inbound> batch) {
        Map<String, UUID> lookedUp = new HashMap<>();
        return db.inTransaction(tx -> applyIn(tx, batch, lookedUp)).invoke(() -> thingIds.remember(lookedUp));
    }

    private Uni<Void> applyIn(SqlConnection tx, List<Inbound> batch, Map<String, UUID> lookedUp) {
        List<DeadLetters.Rejected> rejected = new ArrayList<>();
        Map<DeviceMessage, Inbound> parsed = new java.util.LinkedHashMap<>();
        for (Inbound message : batch) {
            try {
                parsed.put(parser.parse(message.topic(), message.payload()), message);
            } catch (RejectedMessage rejection) {
                rejected.add(new DeadLetters.Rejected(message.topic(), rejection.reason(), rejection.getMessage(),
                        message.payload()));
            }
        }
        Set<String> things = new HashSet<>();
        parsed.keySet().forEach(message -> things.add(message.thingName()));
        List<ProvisioningAnnouncements.Announced> announced = new ArrayList<>();
        parsed.forEach((message, inbound) -> {
            if (message instanceof DeviceMessage.Provisioned provisioned) {
                announced.add(new ProvisioningAnnouncements.Announced(provisioned, inbound));
            }
        });
        return announcements.apply(tx, announced, rejected)
                .chain(() -> resolve(tx, things, lookedUp))
                .chain(ids -> {
                    List<DeviceStateService.Report> reports = new ArrayList<>();
                    List<DeviceMessage.Presence> presence = new ArrayList<>();
                    List<DeviceMessage.Event> events = new ArrayList<>();
                    Map<DeviceMessage, UUID> applianceOf = new HashMap<>();
                    parsed.forEach((message, inbound) -> {
                        if (message instanceof DeviceMessage.Provisioned) {
                            return;
                        }
                        UUID appliance = ids.get(message.thingName());
                        if (appliance == null) {
                            rejected.add(new DeadLetters.Rejected(inbound.topic(), "UNKNOWN_THING",
                                    "No appliance has thing name " + message.thingName(), inbound.payload()));
                            return;
                        }
                        applianceOf.put(message, appliance);
                        switch (message) {
                            case DeviceMessage.State s -> reports.add(new DeviceStateService.Report(appliance,
                                    s.shadowName(), s.reported(), s.desired(), s.version(), s.reportedAt()));
                            case DeviceMessage.Presence p -> presence.add(p);
                            case DeviceMessage.Event e -> events.add(e);
                            case DeviceMessage.Provisioned ignored -> {
                            }
                        }
                    });
                    return states.record(tx, reports)
                            .chain(() -> presence(tx, presence, applianceOf))
                            .chain(() -> events(tx, events, applianceOf));
                })
                .chain(() -> deadLetters.write(tx, rejected));
    }

    /**
     * Thing name → appliance id, for these names: remembered ones from {@link ThingIds}, the others read in {@code tx}
     * (and added to {@code lookedUp}, remembered if it commits).
     */
    private Uni<Map<String, UUID>> resolve(SqlConnection tx, Set<String> things, Map<String, UUID> lookedUp) {
        Map<String, UUID> ids = thingIds.of(things);
        if (ids.size() == things.size()) {
            return Uni.createFrom().item(ids);
        }
        Set<String> unknown = new HashSet<>(things);
        unknown.removeAll(ids.keySet());
        return appliances.idsByThingName(tx, unknown).map(found -> {
            lookedUp.putAll(found);
            ids.putAll(found);
            return ids;
        });
    }

    private Uni<Void> presence(SqlConnection tx, List<DeviceMessage.Presence> presence,
            Map<DeviceMessage, UUID> applianceOf) {
        if (presence.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<PresenceRepository.Reported> reported = presence.stream()
                .map(p -> new PresenceRepository.Reported(applianceOf.get(p), p.online(), p.at())).toList();
        return presences.storeNewer(tx, reported)
                .flatMap(stored -> changes.append(tx, stored.stream().map(p -> Change.forAppliance(
                        p.applianceId(), ChangeType.DEVICE_PRESENCE, new JsonObject()
                                .put("applianceId", p.applianceId().toString())
                                .put("online", p.online())
                                .put("at", p.at().toString()))).toList()));
    }

    private Uni<Void> events(SqlConnection tx, List<DeviceMessage.Event> events, Map<DeviceMessage, UUID> applianceOf) {
        if (events.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<DeviceEventRepository.ApplianceEvent> happened = events.stream()
                .map(e -> new DeviceEventRepository.ApplianceEvent(applianceOf.get(e), e.eventId(), e.type(),
                        e.details(), e.occurredAt()))
                .toList();
        return deviceEvents.insertNew(tx, happened)
                .flatMap(stored -> {
                    List<Change> announced = stored.stream().map(e -> Change.forAppliance(e.applianceId(),
                            ChangeType.DEVICE_EVENT, new JsonObject()
                                    .put("applianceId", e.applianceId().toString())
                                    .put("eventId", e.eventId())
                                    .put("type", e.type())
                                    .put("occurredAt", e.occurredAt() == null ? null : e.occurredAt().toString())
                                    .put("details", e.details()))).toList();
                    // Announced first: viewers learn of the reset before they lose the appliance.
                    return changes.append(tx, announced).chain(() -> factoryResets(tx, announced));
                });
    }

    /** A factory reset ends every share and the ownership, as releasing the appliance from the API does. */
    private Uni<Void> factoryResets(SqlConnection tx, List<Change> announced) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Change change : announced) {
            if (!DeviceMessage.Event.FACTORY_RESET.equals(change.payload().getString("type"))) {
                continue;
            }
            chain = chain.chain(() -> releases.factoryReset(tx, change.applianceId()));
        }
        return chain;
    }
}
