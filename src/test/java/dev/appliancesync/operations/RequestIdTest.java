package dev.appliancesync.operations;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;

import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.Test;

import dev.appliancesync.common.logging.RequestIds;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class RequestIdTest {

    private static final String UUID_FORM = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

    @Test
    void everyResponseCarriesANewIdWhenTheCallerSentNone() {
        String first = idOf(null);
        String second = idOf(null);
        assertThat(first).matches(UUID_FORM);
        assertThat(second).matches(UUID_FORM).isNotEqualTo(first);
    }

    @Test
    void aWellFormedIncomingIdIsKept() {
        assertThat(idOf("gateway-trace.4bf92f3577b34da6")).isEqualTo("gateway-trace.4bf92f3577b34da6");
    }

    /** It goes into logs and a response header: nothing that could forge a log line or another header. */
    @Test
    void aMalformedIncomingIdIsReplaced() {
        for (String bad : new String[] { "short", "has space in it", "x".repeat(129), "id\"},{\"level\":\"ERROR" }) {
            assertThat(idOf(bad)).as(bad).matches(UUID_FORM);
        }
    }

    @Test
    void everyLogLineOfARequestCarriesItsId() {
        List<String> seen = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record instanceof ExtLogRecord ext) {
                    seen.add(String.valueOf(ext.getMdc(RequestIds.MDC_KEY)));
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger(RequestIdProbe.CATEGORY);
        logger.addHandler(capture);
        try {
            String id = given().header(RequestIds.HEADER, "probe-request-1").get(RequestIdProbe.PATH)
                    .then().statusCode(200).extract().header(RequestIds.HEADER);
            assertThat(id).isEqualTo("probe-request-1");
            assertThat(seen).containsExactly(id, id);
        } finally {
            logger.removeHandler(capture);
        }
    }

    private static String idOf(String incoming) {
        var request = given();
        if (incoming != null) {
            request.header(RequestIds.HEADER, incoming);
        }
        return request.get(RequestIdProbe.PATH).then().statusCode(200).extract().header(RequestIds.HEADER);
    }
}
