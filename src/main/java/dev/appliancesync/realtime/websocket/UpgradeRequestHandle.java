package dev.appliancesync.realtime.websocket;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

import io.quarkus.runtime.annotations.RegisterForProxy;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;

/**
 * The upgrade request as SmallRye's protocol handlers are given it: the request itself until the connection is
 * acknowledged ({@link #release}), then only its {@link Vertx}. Quarkus's handlers keep the request they are given in
 * a final field for as long as the connection is open (SmallRyeAuthGraphQLWSHandler), and with it its routing context,
 * headers and attributes (about 2.2 KiB per connection in a heap dump at 10,000 idle connections). All they need it
 * for is authentication, which is over once the connection is acknowledged (a second connection_init is refused
 * before it reaches them, see {@link GuardedConnection#admit}), and the Vert.x instance that cancels the token
 * expiry's timer when the connection closes. Anything else asked of it after the ack fails loudly rather than acting
 * on a request that is gone.
 */
// The native executable makes proxies, and calls methods through reflection, only of what it was told of.
@RegisterForProxy(targets = RoutingContext.class)
@RegisterForReflection(targets = RoutingContext.class, methods = true, fields = false)
final class UpgradeRequestHandle implements InvocationHandler {

    private final Vertx vertx;
    private volatile RoutingContext request;

    private UpgradeRequestHandle(RoutingContext request) {
        this.request = request;
        this.vertx = request.vertx();
    }

    /** {@code request} behind a handle: the routing context to give the protocol handlers, and the handle itself. */
    static Handed of(RoutingContext request) {
        UpgradeRequestHandle handle = new UpgradeRequestHandle(request);
        RoutingContext proxy = (RoutingContext) Proxy.newProxyInstance(RoutingContext.class.getClassLoader(),
                new Class<?>[] { RoutingContext.class }, handle);
        return new Handed(proxy, handle);
    }

    /** What {@link #of} gives. */
    record Handed(RoutingContext context, UpgradeRequestHandle handle) {
    }

    /** The request itself, until released. */
    RoutingContext request() {
        RoutingContext current = request;
        if (current == null) {
            throw new IllegalStateException("The upgrade request of an acknowledged connection is no longer held");
        }
        return current;
    }

    /** From now on the handle holds the Vert.x instance only. */
    void release() {
        request = null;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
                case "equals" -> proxy == args[0];
                case "hashCode" -> System.identityHashCode(proxy);
                default -> "UpgradeRequestHandle[" + (request == null ? "released" : request) + "]";
            };
        }
        if (method.getName().equals("vertx") && method.getParameterCount() == 0) {
            return vertx;
        }
        try {
            return method.invoke(request(), args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
