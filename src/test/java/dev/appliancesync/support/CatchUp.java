package dev.appliancesync.support;

import static org.hamcrest.Matchers.nullValue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.vertx.core.json.JsonObject;

/**
 * Everything one user may see on {@code changes}, read as a client catches up: {@code changes(since:)} page by page
 * from the oldest retained entry until {@code hasMore} is false. Each entry as {@code {cursor, type, applianceId,
 * data}}, {@code data} parsed.
 */
public final class CatchUp {

    private static final String PAGE = """
            query($since: String) { changes(since: $since, limit: 100) {
              changes { cursor type applianceId data } cursor hasMore } }""";

    private CatchUp() {
    }

    /** Over this service's GraphQL endpoint, as {@code token}'s user. */
    public static List<JsonObject> all(String token) {
        return all((query, variables) -> GraphQL.post(token, query, variables));
    }

    /** Through {@code post} (query, variables), e.g. to a service instance of its own. */
    public static List<JsonObject> all(BiFunction<String, Map<String, Object>, Response> post) {
        List<JsonObject> entries = new ArrayList<>();
        String since = null;
        boolean more = true;
        while (more) {
            Map<String, Object> variables = new HashMap<>();
            variables.put("since", since);
            JsonPath page = post.apply(PAGE, variables).then().statusCode(200).body("errors", nullValue()).extract()
                    .jsonPath();
            for (Map<String, Object> change : page.<Map<String, Object>>getList("data.changes.changes")) {
                JsonObject entry = new JsonObject(change);
                entry.put("data", new JsonObject((String) change.get("data")));
                entries.add(entry);
            }
            since = page.getString("data.changes.cursor");
            more = page.getBoolean("data.changes.hasMore");
        }
        return entries;
    }

    /** The entries of {@code type} about command {@code commandId}. */
    public static List<JsonObject> ofCommand(List<JsonObject> entries, String type, String commandId) {
        return entries.stream().filter(e -> type.equals(e.getString("type"))
                && commandId.equals(e.getJsonObject("data").getString("commandId"))).toList();
    }
}
