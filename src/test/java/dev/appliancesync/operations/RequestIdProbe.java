package dev.appliancesync.operations;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.vertx.ext.web.Router;

/**
 * Test-only route that logs twice while handling one request, once on the event loop and once on a worker thread, as
 * the service's own code does (resolvers run on both): RequestIdTest checks that both lines carry the request's id.
 */
@ApplicationScoped
public class RequestIdProbe {

    static final String PATH = "/test/request-id-probe";
    static final String CATEGORY = "dev.appliancesync.operations.probe";
    private static final Logger LOG = Logger.getLogger(CATEGORY);

    void install(@Observes Router router) {
        router.get(PATH).handler(ctx -> {
            LOG.info("on the event loop");
            ctx.vertx().executeBlocking(() -> {
                LOG.info("on a worker");
                return null;
            }).onComplete(done -> ctx.response().end());
        });
    }
}
