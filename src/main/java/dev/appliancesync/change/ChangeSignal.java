package dev.appliancesync.change;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.pubsub.PgSubscriber;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgConnectOptions;

/**
 * "The change log has grown": PostgreSQL LISTEN/NOTIFY as a wake-up signal between instances, never as the carrier of
 * the changes themselves. A commit that appended entries wakes this instance at once and sends one NOTIFY; commits
 * that come while a NOTIFY is under way share the next one, so a burst of writes costs a couple of NOTIFYs, not one
 * each (NOTIFY serialises committing transactions). Readers always catch up from the table by sequence.
 */
@ApplicationScoped
public class ChangeSignal {

    static final String CHANNEL = "appliance_sync_changes";
    private static final Logger LOG = Logger.getLogger(ChangeSignal.class);
    /** LISTEN reconnects this often after losing its connection; readers poll meanwhile. */
    private static final long RECONNECT_MILLIS = 1_000;

    private final Vertx vertx;
    private final Pool pool;
    private final PgConnectOptions listenOptions;
    private final List<Runnable> wakeUps = new CopyOnWriteArrayList<>();
    private final AtomicBoolean notifying = new AtomicBoolean();
    private final AtomicBoolean notifyAgain = new AtomicBoolean();
    private volatile PgSubscriber listener;
    private volatile boolean stopping;

    public ChangeSignal(Vertx vertx, Pool pool,
            @ConfigProperty(name = "quarkus.datasource.reactive.url") String url,
            @ConfigProperty(name = "quarkus.datasource.username") Optional<String> username,
            @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password) {
        this.vertx = vertx;
        this.pool = pool;
        PgConnectOptions options = PgConnectOptions.fromUri(url.replaceFirst("^vertx-reactive:", ""));
        username.ifPresent(options::setUser);
        password.ifPresent(options::setPassword);
        this.listenOptions = options;
    }

    /** {@code wakeUp} runs whenever the change log may have grown (on any instance); it must not block. */
    public void onChange(Runnable wakeUp) {
        wakeUps.add(wakeUp);
    }

    /** Called after a transaction that appended change-log entries has committed. */
    public void committed() {
        wake();
        if (notifying.compareAndSet(false, true)) {
            sendNotify();
        } else {
            notifyAgain.set(true);
        }
    }

    private void sendNotify() {
        notifyAgain.set(false);
        pool.query("NOTIFY " + CHANNEL).execute().subscribe().with(
                done -> afterNotify(),
                failure -> {
                    LOG.debugf("NOTIFY failed (other instances catch up by polling): %s", failure.getMessage());
                    afterNotify();
                });
    }

    private void afterNotify() {
        if (notifyAgain.get()) {
            sendNotify();
        } else {
            notifying.set(false);
            // A commit may have slipped in between the check and the reset.
            if (notifyAgain.get() && notifying.compareAndSet(false, true)) {
                sendNotify();
            }
        }
    }

    private void wake() {
        for (Runnable wakeUp : wakeUps) {
            wakeUp.run();
        }
    }

    void listen(@Observes StartupEvent started) {
        PgSubscriber subscriber = PgSubscriber.subscriber(vertx, listenOptions)
                .reconnectPolicy(retries -> RECONNECT_MILLIS);
        subscriber.channel(CHANNEL).handler(payload -> wake()).subscribeHandler(this::wake);
        subscriber.closeHandler(() -> {
            if (!stopping) {
                LOG.warn("Lost the LISTEN connection; reconnecting, polling meanwhile");
            }
        });
        subscriber.connect().subscribe().with(
                connected -> LOG.debugf("Listening on %s", CHANNEL),
                failure -> LOG.warnf("Cannot LISTEN yet (%s); reconnecting, polling meanwhile", failure.getMessage()));
        listener = subscriber;
    }

    void stop(@Observes ShutdownEvent shutdown) {
        stopping = true;
        PgSubscriber subscriber = listener;
        if (subscriber != null) {
            subscriber.close().subscribe().with(ignored -> { }, ignored -> { });
        }
    }
}
