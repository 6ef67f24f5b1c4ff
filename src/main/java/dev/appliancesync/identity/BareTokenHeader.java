package dev.appliancesync.identity;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;

/**
 * AWS Amplify (and every AppSync client) sends {@code Authorization: <jwt>} with no scheme: such a header gets the
 * Bearer scheme before authentication reads it, so one app works against AppSync and against us unchanged.
 */
@ApplicationScoped
public class BareTokenHeader {

    /** After request ids (-1000), before authentication (-200). */
    private static final int ORDER = -500;

    void install(@Observes Router router) {
        router.route().order(ORDER).handler(ctx -> {
            String authorization = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
            String withScheme = AccessTokens.withBearerScheme(authorization);
            if (withScheme != null && !withScheme.equals(authorization)) {
                ctx.request().headers().set(HttpHeaders.AUTHORIZATION, withScheme);
            }
            ctx.next();
        });
    }
}
