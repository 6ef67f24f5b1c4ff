package dev.appliancesync.cloud.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.appliancesync.cloud.local.LocalCloudGateway;
import io.quarkus.arc.ClientProxy;
import io.quarkus.test.junit.QuarkusTest;

/** The contract against the local gateway in the test profile's PostgreSQL, as the producer makes it in dev and test. */
@QuarkusTest
class LocalCloudGatewayContractTest extends CloudGatewayContract {

    @Inject
    CloudGateway gateway;

    @Override
    protected CloudGateway gateway() {
        return gateway;
    }

    @Override
    protected void addUser(String username) {
        // Every username exists locally.
    }

    @Test
    void theTestProfileGetsTheLocalGateway() {
        assertThat(ClientProxy.unwrap(gateway)).isInstanceOf(LocalCloudGateway.class);
    }
}
