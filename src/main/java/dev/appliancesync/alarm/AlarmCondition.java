package dev.appliancesync.alarm;

import java.util.regex.Pattern;

import dev.appliancesync.common.error.ApiException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;

/**
 * What a rule waits for: one top-level attribute of the classic shadow's reported state equal to a JSON value
 * ({@code reported.DoorOpened = true}). Kept this small on purpose; evaluated in SQL
 * ({@code reported -> attribute = expected}), so a richer condition can become a predicate of the same statement.
 *
 * @param expected the value as JSON text, normalised ({@code true}, {@code "ECO"}, {@code 4})
 */
public record AlarmCondition(String attribute, String expected) {

    /** Shadow attribute names as the rules table accepts them (and as devices name their attributes). */
    private static final Pattern ATTRIBUTE = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,63}");
    private static final int LONGEST_VALUE = 1_000;

    /** A condition from the API: the attribute's name checked, the value parsed as JSON; VALIDATION otherwise. */
    public static AlarmCondition parse(String attribute, String expectedJson) {
        if (attribute == null || !ATTRIBUTE.matcher(attribute).matches()) {
            throw ApiException.validation("attribute: a reported attribute name (a letter, then up to 63 letters, "
                    + "digits or _), e.g. DoorOpened");
        }
        if (expectedJson == null || expectedJson.length() > LONGEST_VALUE) {
            throw ApiException.validation("equals: a JSON value of at most " + LONGEST_VALUE + " characters");
        }
        Object value;
        try {
            value = Json.decodeValue(expectedJson);
        } catch (DecodeException e) {
            throw ApiException.validation("equals: not JSON (write a string with its quotes: \"ECO\"), e.g. true");
        }
        if (value == null) {
            throw ApiException.validation("equals: null never matches a reported attribute; name a value");
        }
        return new AlarmCondition(attribute, Json.encode(value));
    }

    @Override
    public String toString() {
        return "reported." + attribute + " = " + expected;
    }
}
