package dev.appliancesync.cloud.policy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Who is asking IoT Core, and the policy variables AWS resolves from that connection: what the evaluators fill
 * {@code ${...}} and condition keys with. A variable a connection has no value for stays unresolved, and a statement
 * using it does not apply (IotPolicySet).
 */
public sealed interface IotConnection {

    String COGNITO_SUB = "cognito-identity.amazonaws.com:sub";
    String CLIENT_ID = "iot:ClientId";
    String THING_NAME = "iot:Connection.Thing.ThingName";
    String THING_IS_ATTACHED = "iot:Connection.Thing.IsAttached";

    /** The request's policy variables and condition keys. */
    Map<String, String> variables();

    /** An app: a Cognito identity's credentials, connected with this client id (null: not asked about one). */
    record CognitoIdentity(String identityId, String clientId) implements IotConnection {

        public CognitoIdentity {
            Objects.requireNonNull(identityId, "identityId");
        }

        @Override
        public Map<String, String> variables() {
            Map<String, String> variables = new LinkedHashMap<>();
            variables.put(COGNITO_SUB, identityId);
            if (clientId != null) {
                variables.put(CLIENT_ID, clientId);
            }
            return variables;
        }
    }

    /**
     * A device: a certificate attached (AttachThingPrincipal) to {@code attachedThings}, connected with
     * {@code clientId}. As AWS documents thing policy variables for non-exclusive thing association: the thing is the
     * one named by the client id, so {@code iot:Connection.Thing.ThingName} resolves only when the client id is the
     * name of a thing attached to the certificate, and {@code iot:Connection.Thing.IsAttached} is then true (false
     * otherwise). Every later request of the connection is evaluated with the same values.
     */
    record Thing(String clientId, Set<String> attachedThings) implements IotConnection {

        public Thing {
            Objects.requireNonNull(clientId, "clientId");
            attachedThings = Set.copyOf(attachedThings);
        }

        /** A device whose certificate is attached to its own thing, connected with its thing name as client id. */
        public static Thing of(String thingName) {
            return new Thing(thingName, Set.of(thingName));
        }

        @Override
        public Map<String, String> variables() {
            Map<String, String> variables = new LinkedHashMap<>();
            variables.put(CLIENT_ID, clientId);
            boolean attached = attachedThings.contains(clientId);
            variables.put(THING_IS_ATTACHED, Boolean.toString(attached));
            if (attached) {
                variables.put(THING_NAME, clientId);
            }
            return variables;
        }
    }
}
