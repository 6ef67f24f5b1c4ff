package dev.appliancesync.operations;

import static io.restassured.RestAssured.given;

import io.quarkus.arc.Arc;
import io.quarkus.vertx.http.HttpServer;
import io.restassured.specification.RequestSpecification;

/**
 * Requests to the running test application's management interface (health at /q/health/*, metrics at /q/metrics):
 * its own port, which RestAssured's default (the API's port) does not reach. Tests bind it to a free port
 * (quarkus.management.test-port=0), so the port is asked of the running server.
 */
public final class ManagementRequests {

    private ManagementRequests() {
    }

    public static RequestSpecification management() {
        return given().port(Arc.container().instance(HttpServer.class).get().getManagementPort());
    }
}
