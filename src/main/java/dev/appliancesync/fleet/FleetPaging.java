package dev.appliancesync.fleet;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import dev.appliancesync.common.graphql.PagedField;

/**
 * Tells the request costing how large the fleet's pages are ({@code first}, 20 when omitted, at most 100 by default),
 * as {@link FleetService} and {@link FleetGroupService} serve them.
 */
@ApplicationScoped
public class FleetPaging {

    @Produces
    @Singleton
    PagedField search(FleetConfig config) {
        return page("Query", "fleet", config);
    }

    @Produces
    @Singleton
    PagedField groupMembers(FleetConfig config) {
        return page("FleetGroup", "members", config);
    }

    private static PagedField page(String type, String field, FleetConfig config) {
        return new PagedField(type, field, config.defaultPageSize(), config.maxPageSize());
    }
}
