package dev.appliancesync.cloud.gateway;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;

import org.jboss.logging.Logger;

import dev.appliancesync.cloud.CloudConfig;
import dev.appliancesync.common.metrics.ServiceMetrics;
import io.vertx.mutiny.sqlclient.Pool;

/** The gateway for {@code appliance-sync.cloud.mode}: AWS, or the local stand-in in our own database. */
@ApplicationScoped
public class CloudGatewayProducer {

    private static final Logger LOG = Logger.getLogger(CloudGatewayProducer.class);

    @Produces
    @ApplicationScoped
    CloudGateway cloudGateway(CloudConfig config, Pool pool, ServiceMetrics metrics) {
        return switch (config.mode()) {
            case AWS -> {
                AwsCloudGateway gateway = AwsCloudGateway.create(config, metrics);
                LOG.infof("Cloud sync: IoT Core and Cognito user pool %s in %s", config.userPoolId().orElseThrow(),
                        config.region().orElseThrow());
                yield gateway;
            }
            case LOCAL -> {
                LOG.info("Cloud sync: local (IoT policies and user attributes kept in the cloud_local_* tables)");
                yield new LocalCloudGateway(pool, config.calls().timeout());
            }
        };
    }

    void close(@Disposes CloudGateway gateway) {
        if (gateway instanceof AwsCloudGateway aws) {
            aws.close();
        }
    }
}
