package dev.appliancesync.sharing;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.appliancesync.realtime.RealtimeConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.core.Vertx;

/** Every few seconds, announces the shares that have expired since (see {@link ExpiredShares#announce}). */
@ApplicationScoped
public class ShareExpiryAnnouncer {

    private static final Logger LOG = Logger.getLogger(ShareExpiryAnnouncer.class);
    private static final int BATCH = 200;

    private final ExpiredShares shares;
    private final RealtimeConfig config;
    private final Vertx vertx;
    private long timer = -1;
    private boolean running;

    public ShareExpiryAnnouncer(ExpiredShares shares, RealtimeConfig config, Vertx vertx) {
        this.shares = shares;
        this.config = config;
        this.vertx = vertx;
    }

    void start(@Observes StartupEvent started) {
        timer = vertx.getDelegate().setPeriodic(config.expiryInterval().toMillis(), tick -> announce());
    }

    void stop(@Observes ShutdownEvent stopping) {
        if (timer >= 0) {
            vertx.getDelegate().cancelTimer(timer);
        }
    }

    /** Runs on the timer's event loop; one run at a time, a full batch goes on at once with the next. */
    private void announce() {
        if (running) {
            return;
        }
        running = true;
        shares.announce(BATCH).subscribe().with(count -> {
            running = false;
            if (count == BATCH) {
                announce();
            }
        }, failure -> {
            running = false;
            LOG.warnf("Announcing expired shares failed (next run retries): %s", failure.getMessage());
        });
    }
}
