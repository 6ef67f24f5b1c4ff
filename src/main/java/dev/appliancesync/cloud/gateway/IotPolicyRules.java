package dev.appliancesync.cloud.gateway;

import java.util.Optional;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.appliancesync.cloud.policy.IotQuotas;

/**
 * IoT Core's documented limits on policies, for the local gateway (and the tests' stand-in for AWS) to refuse what
 * AWS would refuse. Sources: the IoT API reference (CreatePolicy: name pattern, "policyDocument must have a minimum
 * length of 1, with a maximum length of 2048, excluding whitespace"; DeletePolicy; DeletePolicyVersion) and IoT Core's
 * quotas (5 versions per policy, 10 policies per Cognito identity).
 */
public final class IotPolicyRules {


    private static final Pattern NAME = Pattern.compile("[\\w+=,.@-]{1,128}");
    private static final ObjectMapper JSON = new ObjectMapper();

    private IotPolicyRules() {
    }

    /** Why AWS would refuse the name (InvalidRequestException), if it would. */
    public static Optional<String> problemWithName(String name) {
        return NAME.matcher(name).matches() ? Optional.empty()
                : Optional.of("Policy name must match [\\w+=,.@-]+ and be 1 to 128 characters: " + name);
    }

    /**
     * Why AWS would refuse the document (MalformedPolicyException), if it would. CreatePolicy and CreatePolicyVersion
     * declare no LimitExceededException, so an oversized document is a malformed one there.
     */
    public static Optional<String> problemWithDocument(String document) {
        long characters = IotQuotas.documentSize(document);
        if (characters == 0) {
            return Optional.of("Policy document is empty");
        }
        if (characters > IotQuotas.MAX_DOCUMENT_CHARACTERS) {
            return Optional.of("Policy document is " + characters + " characters without whitespace; at most "
                    + IotQuotas.MAX_DOCUMENT_CHARACTERS + " are allowed");
        }
        try {
            JsonNode parsed = JSON.readTree(document);
            if (parsed == null || !parsed.isObject() || !parsed.has("Statement")) {
                return Optional.of("Policy document must be a JSON object with a Statement");
            }
        } catch (JsonProcessingException e) {
            return Optional.of("Policy document is not valid JSON: " + e.getOriginalMessage());
        }
        return Optional.empty();
    }
}
