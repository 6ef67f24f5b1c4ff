package dev.appliancesync.common.graphql;

import org.eclipse.microprofile.graphql.Description;

import io.smallrye.graphql.api.CustomScalar;
import io.smallrye.graphql.api.CustomStringScalar;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * A JSON object carried as a string, like AppSync's AWSJSON, so apps moving from AppSync keep their code. Parsed
 * when the request is read; anything but an object is a validation error.
 */
@CustomScalar("JSON")
@Description("A JSON object, sent and returned as a string (like AppSync's AWSJSON)")
public class Json implements CustomStringScalar {

    private final JsonObject value;

    public Json(String text) {
        try {
            this.value = new JsonObject(text);
        } catch (DecodeException | ClassCastException e) {
            throw new IllegalArgumentException("Not a JSON object");
        }
    }

    public static Json of(JsonObject value) {
        return new Json(value.encode());
    }

    public JsonObject value() {
        return value;
    }

    @Override
    public String stringValueForSerialization() {
        return value.encode();
    }
}
