package dev.appliancesync.operations;

import static dev.appliancesync.operations.ManagementRequests.management;
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
        management().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItems("Reactive PostgreSQL connections health check",
                        BrokerConnectionCheck.NAME))
                .body("checks.find { it.name == '" + BrokerConnectionCheck.NAME + "' }.data.subscribed", equalTo(true))
                .body("checks.find { it.name == '" + BrokerConnectionCheck.NAME + "' }.data", hasKey("clientId"));
    }

    @Test
    void liveIsUp() {
        management().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    /** The probes of deploy/kubernetes/deployment.yaml (DeployFilesTest checks their port against the service's). */
    @Test
    void kubernetesProbesAskPathsTheServiceAnswers() {
        DeployFiles.probePaths().forEach((probe, path) -> management().get(path).then().statusCode(200)
                .body("status", equalTo("UP")));
    }

    /** The API's port is the one the ingress exposes: it serves neither the metrics nor the health checks' details. */
    @Test
    void healthAndMetricsAreNotOnTheApiPort() {
        for (String path : new String[] { "/q/metrics", "/q/health", "/q/health/ready", "/q/health/live" }) {
            given().get(path).then().statusCode(404);
            management().get(path).then().statusCode(200);
        }
    }

    @Test
    void metricsArePrometheus() {
        management().get("/q/metrics").then().statusCode(200)
                .body(containsString("# TYPE jvm_memory_used_bytes gauge"));
    }
}
