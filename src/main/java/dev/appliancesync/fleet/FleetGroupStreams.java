package dev.appliancesync.fleet;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.change.ChangeSignal;
import dev.appliancesync.common.db.Transactions;
import dev.appliancesync.common.error.Ids;
import dev.appliancesync.identity.Caller;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * fleetGroupChanged: a group's entering and leaving appliances as fleet_group_event records them, on whichever
 * instance the shadow update was stored. Membership events commit in the transaction of a shadow or presence change,
 * which appends to the change log, so the change log's wake-up ({@link ChangeSignal}: at once here, by NOTIFY on the
 * other instances) is theirs too; a bounded poll ({@code appliance-sync.fleet.group-poll-interval}) covers a lost
 * wake-up. Each read asks the policies again, so an operator whose access ends stops receiving; a subscription to a
 * group that is deleted ends with NOT_FOUND.
 */
@ApplicationScoped
public class FleetGroupStreams {

    /** What a subscriber receives: first SUBSCRIBED (from then on nothing is missed), then each change. */
    public record Item(FleetGroupChange change, OffsetDateTime subscribedAt) {
    }

    private final Transactions db;
    private final FleetGroupService service;
    private final FleetGroupRepository groups;
    private final FleetConfig config;
    private final Set<Runnable> listening = ConcurrentHashMap.newKeySet();

    public FleetGroupStreams(Transactions db, FleetGroupService service, FleetGroupRepository groups,
            FleetConfig config, ChangeSignal signal) {
        this.db = db;
        this.service = service;
        this.groups = groups;
        this.config = config;
        // Registered once: each open stream adds and removes its own wake-up here.
        signal.onChange(() -> listening.forEach(Runnable::run));
    }

    public Multi<Item> open(Uni<Caller> caller, String groupId) {
        return caller.flatMap(who -> service.find(who, groupId).flatMap(group -> groups.now(db.reads())
                .map(start -> new Start(who, group, start))))
                .onItem().transformToMulti(this::live);
    }

    private record Start(Caller caller, FleetGroupService.Visible group, FleetGroupRepository.EventCursor cursor) {
    }

    private Multi<Item> live(Start start) {
        AtomicReference<FleetGroupRepository.EventCursor> cursor = new AtomicReference<>(start.cursor());
        Multi<Long> wakeUps = Multi.createFrom().emitter(emitter -> {
            Runnable wake = () -> emitter.emit(0L);
            listening.add(wake);
            emitter.onTermination(() -> listening.remove(wake));
        });
        Multi<Long> polls = Multi.createFrom().ticks().every(config.groupPollInterval());
        Multi<Item> changes = Multi.createBy().merging().streams(wakeUps, polls)
                // A wake-up during a read is kept (the latest one), so nothing committed meanwhile waits for the poll.
                .onOverflow().dropPreviousItems()
                .onItem().transformToUniAndConcatenate(ignored -> read(start, cursor))
                .onItem().transformToIterable(list -> list);
        Item subscribed = new Item(null, OffsetDateTime.now(ZoneOffset.UTC));
        return Multi.createBy().concatenating().streams(Multi.createFrom().item(subscribed), changes);
    }

    /** Everything settled after the cursor, in batches; the visible types decided again on each read. */
    private Uni<List<Item>> read(Start start, AtomicReference<FleetGroupRepository.EventCursor> cursor) {
        return Uni.createFrom().deferred(() -> {
            FleetGroupService.Visible now = FleetGroupService.visible(start.group().group(),
                    service.permittedForRead(start.caller()));
            return groups.after(db.reads(), now.group().id(), now.visibleTypes(), cursor.get(),
                    config.groupEventBatch()).flatMap(events -> {
                        if (events.changes().isEmpty()) {
                            // A deleted group records nothing more: its subscriptions end rather than wait forever.
                            return groups.find(db.reads(), now.group().id()).map(found -> {
                                if (found.isEmpty()) {
                                    throw Ids.notFound("fleet group");
                                }
                                return List.<Item>of();
                            });
                        }
                        cursor.set(events.next());
                        List<Item> items = events.changes().stream().map(c -> new Item(c, null)).toList();
                        if (events.changes().size() < config.groupEventBatch()) {
                            return Uni.createFrom().item(items);
                        }
                        return read(start, cursor).map(more -> concat(items, more));
                    });
        });
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }
}
