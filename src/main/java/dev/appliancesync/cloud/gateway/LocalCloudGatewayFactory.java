package dev.appliancesync.cloud.gateway;

import java.time.Duration;

import io.vertx.mutiny.sqlclient.Pool;

/**
 * Makes the local stand-in for AWS ({@code appliance-sync.cloud.mode=local}). Its one bean,
 * {@code dev.appliancesync.cloud.local.LocalCloudGateways}, exists in dev mode and tests only: a production build leaves
 * the package out, so {@link CloudGatewayProducer} finds no factory there and refuses the local mode.
 */
public interface LocalCloudGatewayFactory {

    CloudGateway create(Pool pool, Duration callTimeout);
}
