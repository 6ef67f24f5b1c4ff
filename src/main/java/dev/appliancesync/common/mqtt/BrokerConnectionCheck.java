package dev.appliancesync.common.mqtt;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready while the MQTT connection is up and the broker has granted every subscription. Readiness only: the client
 * reconnects by itself, and restarting an instance does not bring a broker back.
 */
@Readiness
@ApplicationScoped
public class BrokerConnectionCheck implements HealthCheck {

    public static final String NAME = "MQTT broker connection";

    private final BrokerConnection connection;

    public BrokerConnectionCheck(BrokerConnection connection) {
        this.connection = connection;
    }

    @Override
    public HealthCheckResponse call() {
        BrokerConnection.Status status = connection.status();
        var response = HealthCheckResponse.named(NAME).status(status.ready())
                .withData("broker", status.broker())
                .withData("clientId", status.clientId())
                .withData("connected", status.connected())
                .withData("subscribed", status.subscribed())
                .withData("connection", status.connection());
        if (!status.refusedSubscriptions().isEmpty()) {
            response.withData("refusedSubscriptions", String.join(", ", status.refusedSubscriptions()));
        }
        return response.build();
    }
}
