package dev.appliancesync.cloud.gateway;

import java.util.Map;

import org.junit.jupiter.api.AfterEach;

import dev.appliancesync.cloud.FakeAws;

/** The contract through the real SDK against {@link FakeAws}. */
class AwsCloudGatewayContractTest extends CloudGatewayContract {

    private final FakeAws aws = FakeAws.start();
    private final AwsCloudGateway gateway = aws.gateway(Map.of("appliance-sync.cloud.calls.max-per-second", "1000"));

    @AfterEach
    void close() {
        gateway.close();
        aws.close();
    }

    @Override
    protected CloudGateway gateway() {
        return gateway;
    }

    @Override
    protected void addUser(String username) {
        aws.addUser(username, Map.of());
    }
}
