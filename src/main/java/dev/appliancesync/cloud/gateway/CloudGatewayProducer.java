package dev.appliancesync.cloud.gateway;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;

import org.jboss.logging.Logger;

import dev.appliancesync.cloud.CloudConfig;
import dev.appliancesync.common.metrics.ServiceMetrics;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * The gateway for {@code appliance-sync.cloud.mode}: AWS, or the local stand-in in our own database, which only dev mode
 * and tests have (see {@link LocalCloudGatewayFactory}).
 */
@ApplicationScoped
public class CloudGatewayProducer {

    private static final Logger LOG = Logger.getLogger(CloudGatewayProducer.class);

    @Produces
    @ApplicationScoped
    CloudGateway cloudGateway(CloudConfig config, Pool pool, ServiceMetrics metrics,
            Instance<LocalCloudGatewayFactory> local) {
        return switch (config.mode()) {
            case AWS -> {
                AwsCloudGateway gateway = AwsCloudGateway.create(config, metrics);
                LOG.infof("Cloud sync: IoT Core and Cognito user pool %s in %s", config.userPoolId().orElseThrow(),
                        config.region().orElseThrow());
                yield gateway;
            }
            case LOCAL -> {
                LocalCloudGatewayFactory factory = localFactory(local);
                LOG.info("Cloud sync: local (IoT policies and user attributes kept in the cloud_local_* tables)");
                yield factory.create(pool, config.calls().timeout());
            }
        };
    }

    /** The gateway is made on first use; a production build configured for the local one stops at start instead. */
    void refuseLocalModeWithoutLocalGateway(@Observes StartupEvent started, CloudConfig config,
            Instance<LocalCloudGatewayFactory> local) {
        if (config.mode() == CloudConfig.Mode.LOCAL) {
            localFactory(local);
        }
    }

    private static LocalCloudGatewayFactory localFactory(Instance<LocalCloudGatewayFactory> local) {
        if (!local.isResolvable()) {
            throw new IllegalStateException("appliance-sync.cloud.mode=local exists in dev mode and tests only; a "
                    + "production build has no local cloud gateway and syncs with AWS (appliance-sync.cloud.mode=aws)");
        }
        return local.get();
    }

    void close(@Disposes CloudGateway gateway) {
        if (gateway instanceof AwsCloudGateway aws) {
            aws.close();
        }
    }
}
