package dev.appliancesync.common.graphql;

/**
 * The most items a paged field returns, which the costing charges for a page. Provided by the feature that pages (the
 * change log's {@code changes(since:)}), so that this package need not know that feature's configuration.
 */
public record LargestPage(long items) {
}
