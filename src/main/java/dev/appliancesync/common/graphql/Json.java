package dev.appliancesync.common.graphql;

import org.eclipse.microprofile.graphql.Description;

import io.smallrye.graphql.api.CustomScalar;
import io.smallrye.graphql.api.CustomStringScalar;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * A JSON object carried as a string, like AppSync's AWSJSON, so apps moving from AppSync keep their code. Parsed
 * when the request is read; anything but an object is a validation error. Clients may also send the object itself
 * (Apollo and Amplify do): {@link StrictScalars} encodes it before it reaches this class.
 */
@CustomScalar("JSON")
@Description("A JSON object, returned as a string (like AppSync's AWSJSON); send it as an object or as a string")
public class Json implements CustomStringScalar {

    /** What is sent: encoded once, because a change fanned out to many subscribers is serialised for each. */
    private final String text;
    /** Parsed when a request carries it; from {@link #of}, only if someone asks. */
    private JsonObject value;

    /** A value from a request: parsed now, so that anything but an object is a validation error. */
    public Json(String text) {
        try {
            this.value = new JsonObject(text);
        } catch (DecodeException | ClassCastException e) {
            throw new IllegalArgumentException("Not a JSON object");
        }
        this.text = value.encode();
    }

    private Json(JsonObject value) {
        this.text = value.encode();
    }

    /** A value to send: {@code value} as it is now (later changes to it are not seen). */
    public static Json of(JsonObject value) {
        return new Json(value);
    }

    /** The object (parsed on first use when this was made to be sent). */
    public JsonObject value() {
        if (value == null) {
            value = new JsonObject(text);
        }
        return value;
    }

    @Override
    public String stringValueForSerialization() {
        return text;
    }
}
