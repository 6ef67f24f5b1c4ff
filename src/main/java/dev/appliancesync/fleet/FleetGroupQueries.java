package dev.appliancesync.fleet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import io.vertx.core.json.JsonObject;

/**
 * A group's query as it is stored (fleet_group.query, jsonb) and read back: the same {@link FleetQuery} the API took,
 * so that FleetPredicates compiles a saved group exactly as it compiles a search.
 */
final class FleetGroupQueries {

    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    private FleetGroupQueries() {
    }

    static JsonObject stored(FleetQuery query) {
        try {
            return new JsonObject(JSON.writeValueAsString(query));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A fleet query that cannot be written as JSON", e);
        }
    }

    static FleetQuery read(JsonObject stored) {
        try {
            return JSON.readValue(stored.encode(), FleetQuery.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A stored fleet group query that no longer reads", e);
        }
    }
}
