package dev.appliancesync.realtime.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;

import org.junit.jupiter.api.Test;

import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;

/**
 * What SmallRye's protocol handlers are given in place of the upgrade request: the request until the ack, then only
 * its Vert.x (which cancels the token expiry's timer at close). That Quarkus's handlers ask nothing else of it after
 * the ack is pinned by SubscriptionAuthenticationTest (tokens in either place, expiry) and IdentityAfterAckTest.
 */
class UpgradeRequestHandleTest {

    private final Vertx vertx = stub(Vertx.class, "vertx");
    private final RoutingContext request = stub(RoutingContext.class, "request");

    @Test
    void untilReleasedEveryCallReachesTheRequest() {
        UpgradeRequestHandle.Handed handed = UpgradeRequestHandle.of(request);

        assertThat(handed.context().<Object>get("key")).isEqualTo("request.get(key)");
        assertThat(handed.context().vertx()).isSameAs(vertx);
        assertThat(handed.handle().request()).isSameAs(request);
    }

    @Test
    void onceReleasedItAnswersItsVertxAndRefusesTheRest() {
        UpgradeRequestHandle.Handed handed = UpgradeRequestHandle.of(request);

        handed.handle().release();

        assertThat(handed.context().vertx()).isSameAs(vertx);
        assertThatThrownBy(() -> handed.context().<Object>get("key")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> handed.context().request()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> handed.handle().request()).isInstanceOf(IllegalStateException.class);
        assertThat(handed.context()).isEqualTo(handed.context()).hasToString("UpgradeRequestHandle[released]");
    }

    /** An implementation that answers vertx() with the Vert.x above and any get(key) with what it was asked. */
    @SuppressWarnings("unchecked")
    private <T> T stub(Class<T> type, String name) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] { type }, (proxy, method, args) ->
                switch (method.getName()) {
                    case "vertx" -> vertx;
                    case "get" -> name + ".get(" + args[0] + ")";
                    case "toString" -> name;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
