package dev.appliancesync.realtime;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import dev.appliancesync.common.graphql.PagedField;

/** Tells the request costing how large a page of {@code changes(since:)} is; its resolver enforces the largest. */
@ApplicationScoped
public class ChangePaging {

    /** {@code limit} when omitted: the schema's default (which the costing reads there first). */
    public static final String DEFAULT_LIMIT = "100";

    @Produces
    @Singleton
    PagedField changes(RealtimeConfig config) {
        int largest = config.maxPageSize();
        return new PagedField("Query", "changes", Math.min(Integer.parseInt(DEFAULT_LIMIT), largest), largest);
    }
}
