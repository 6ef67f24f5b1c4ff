package dev.appliancesync.common.logging;

import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.MDC;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * One id per HTTP request, in the log context ({@value #MDC_KEY}, a field of every JSON log line) and in the
 * response's {@value #HEADER}, so that a caller's report and our log lines meet. A caller's own well-formed id is
 * kept, which lets a gateway's or client's trace id run through; anything else is replaced, since it ends up in logs
 * and headers. A GraphQL WebSocket operation logs under its connection's id and its own operation id.
 */
@ApplicationScoped
public class RequestIds {

    public static final String HEADER = "X-Request-Id";
    public static final String MDC_KEY = "requestId";

    /** Before everything else this service routes (authentication is at -200), so sign-in failures carry it too. */
    private static final int ORDER = -1_000;
    /** Enough for a UUID, a W3C trace id or a load balancer's id; nothing that could break a log line or a header. */
    private static final Pattern WELL_FORMED = Pattern.compile("[A-Za-z0-9._:-]{8,128}");

    void install(@Observes Router router) {
        router.route().order(ORDER).handler(ctx -> {
            String id = accept(ctx.request().getHeader(HEADER));
            ctx.put(MDC_KEY, id);
            // Quarkus keeps the MDC per request (in its duplicated Vert.x context), workers and event loop alike.
            MDC.put(MDC_KEY, id);
            ctx.response().putHeader(HEADER, id);
            ctx.next();
        });
    }

    /** The caller's id if well-formed, else a new one. */
    static String accept(String incoming) {
        return incoming != null && WELL_FORMED.matcher(incoming).matches() ? incoming : UUID.randomUUID().toString();
    }

    /** The request's id (a WebSocket connection's is its upgrade's): a connection keeps this, not the request. */
    public static String of(RoutingContext request) {
        return request.get(MDC_KEY);
    }

    /**
     * Runs {@code work} (the handling of one WebSocket message) with the id of its operation: the connection's
     * request id ({@link #of} its upgrade), then the operation's id when the message names one. The connection's id is
     * put back afterwards.
     */
    public static void duringOperation(String connection, String operationId, Runnable work) {
        if (connection == null) {
            work.run();
            return;
        }
        MDC.put(MDC_KEY, operationId == null ? connection : connection + "/" + operationId);
        try {
            work.run();
        } finally {
            MDC.put(MDC_KEY, connection);
        }
    }
}
