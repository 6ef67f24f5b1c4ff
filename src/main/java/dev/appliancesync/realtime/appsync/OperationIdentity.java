package dev.appliancesync.realtime.appsync;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.arc.Arc;
import io.quarkus.arc.InjectableContext.ContextState;
import io.quarkus.arc.ManagedContext;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * Runs one AppSync operation as its own principal. Every start carries its own authorization (one socket serves every
 * principal of an app), so each gets a request context of its own holding that identity: resolvers read it through
 * {@code CurrentUser} as on HTTP, and SmallRye's data fetchers reactivate it (the execution context entry
 * {@link SmallRyeExecutionAdapter#STATE}) wherever the operation continues.
 */
@ApplicationScoped
public class OperationIdentity {

    private final CurrentIdentityAssociation association;

    public OperationIdentity(CurrentIdentityAssociation association) {
        this.association = association;
    }

    /** A new request context holding {@code identity}; destroy it with {@link #end} when the operation ends. */
    ContextState begin(SecurityIdentity identity) {
        ManagedContext requests = Arc.container().requestContext();
        ContextState previous = requests.isActive() ? requests.getState() : null;
        requests.activate();
        try {
            association.setIdentity(identity);
            return requests.getState();
        } finally {
            requests.deactivate();
            if (previous != null) {
                requests.activate(previous);
            }
        }
    }

    /**
     * Runs {@code work} in the operation's request context (the parts of execution that run at once); whatever
     * context was active on this thread before is active again afterwards.
     */
    void within(ContextState state, Runnable work) {
        ManagedContext requests = Arc.container().requestContext();
        ContextState previous = requests.isActive() ? requests.getState() : null;
        requests.activate(state);
        try {
            work.run();
        } finally {
            requests.deactivate();
            if (previous != null) {
                requests.activate(previous);
            }
        }
    }

    void end(ContextState state) {
        Arc.container().requestContext().destroy(state);
    }
}
