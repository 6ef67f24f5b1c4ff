package dev.appliancesync.realtime;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import dev.appliancesync.common.graphql.LargestPage;

/** Tells the request costing how large a page of changes may be: the only paged field, whose resolver enforces it. */
@ApplicationScoped
public class ChangePaging {

    @Produces
    @Singleton
    LargestPage largestPage(RealtimeConfig config) {
        return new LargestPage(config.maxPageSize());
    }
}
