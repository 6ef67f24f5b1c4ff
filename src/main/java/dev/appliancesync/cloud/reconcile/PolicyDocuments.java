package dev.appliancesync.cloud.reconcile;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Whether two policy documents say the same: equal as JSON (whitespace and member order aside). */
final class PolicyDocuments {

    private static final ObjectMapper JSON = new ObjectMapper();

    private PolicyDocuments() {
    }

    static boolean same(String a, String b) {
        if (a.equals(b)) {
            return true;
        }
        try {
            JsonNode left = JSON.readTree(a);
            JsonNode right = JSON.readTree(b);
            return left != null && left.equals(right);
        } catch (JsonProcessingException e) {
            // Not JSON (AWS would not have stored it, but a document is only text to us): only equal text is the same.
            return false;
        }
    }
}
