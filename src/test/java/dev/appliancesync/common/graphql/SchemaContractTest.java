package dev.appliancesync.common.graphql;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/**
 * schema/schema.graphql is the public API. When the running schema differs, this fails and writes the running one to
 * target/schema.graphql: review the difference, and if it is intended, copy it over (and note breaking changes in
 * CHANGELOG.md).
 */
@QuarkusTest
class SchemaContractTest {

    private static final Path CONTRACT = Path.of("schema/schema.graphql");
    private static final Path RUNNING = Path.of("target/schema.graphql");

    @Test
    void runningSchemaIsTheCommittedContract() throws Exception {
        String running = given().get("/graphql/schema.graphql").then().statusCode(200).extract().asString();
        Files.createDirectories(RUNNING.getParent());
        Files.writeString(RUNNING, running);

        assertThat(running)
                .as("The running schema differs from %s; it was written to %s. If the change is intended: "
                        + "cp %s %s", CONTRACT, RUNNING, RUNNING, CONTRACT)
                .isEqualTo(Files.readString(CONTRACT));
    }
}
