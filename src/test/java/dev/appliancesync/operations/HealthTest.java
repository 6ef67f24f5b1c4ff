package dev.appliancesync.operations;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasKey;

import org.junit.jupiter.api.Test;

import dev.appliancesync.common.mqtt.BrokerConnectionCheck;
import dev.appliancesync.deploy.DeployFiles;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class HealthTest {

    @Test
    void readyReportsDatabaseAndBroker() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItems("Reactive PostgreSQL connections health check",
                        BrokerConnectionCheck.NAME))
                .body("checks.find { it.name == '" + BrokerConnectionCheck.NAME + "' }.data.subscribed", equalTo(true))
                .body("checks.find { it.name == '" + BrokerConnectionCheck.NAME + "' }.data", hasKey("clientId"));
    }

    @Test
    void liveIsUp() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    /** The probes of deploy/kubernetes/deployment.yaml (DeployFilesTest checks their port against the service's). */
    @Test
    void kubernetesProbesAskPathsTheServiceAnswers() {
        DeployFiles.probePaths().forEach((probe, path) -> given().get(path).then().statusCode(200)
                .body("status", equalTo("UP")));
    }

    @Test
    void metricsArePrometheus() {
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("# TYPE jvm_memory_used_bytes gauge"));
    }
}
