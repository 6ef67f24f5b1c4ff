package dev.appliancesync.cloud.local;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.cloud.gateway.CloudGateway;
import dev.appliancesync.cloud.gateway.LocalCloudGatewayFactory;
import io.vertx.mutiny.sqlclient.Pool;

/** Offers the local gateway to the producer; a bean only where this dev-only package is built in (dev mode, tests). */
@ApplicationScoped
public class LocalCloudGateways implements LocalCloudGatewayFactory {

    @Override
    public CloudGateway create(Pool pool, Duration callTimeout) {
        return new LocalCloudGateway(pool, callTimeout);
    }
}
