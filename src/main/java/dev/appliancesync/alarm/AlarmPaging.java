package dev.appliancesync.alarm;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import dev.appliancesync.common.graphql.PagedField;

/** Tells the request costing how large a page of {@code alarms} is, as {@link AlarmService} serves it. */
@ApplicationScoped
public class AlarmPaging {

    @Produces
    @Singleton
    PagedField alarms() {
        return new PagedField("Query", "alarms", Integer.parseInt(AlarmService.DEFAULT_PAGE), AlarmService.LARGEST_PAGE);
    }
}
