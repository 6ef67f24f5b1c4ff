package dev.appliancesync.common.graphql;

/**
 * A field that returns a page sized by a {@code first} or {@code limit} argument, with the page its resolver serves
 * when the request gives no size and the largest it serves: what the costing charges for the field's page. Provided
 * by the feature that pages (a CDI bean each), so that this package need not know that feature's configuration.
 * Charging every paged field the largest page of any (the change log's 500) made a {@code fleet} query without
 * {@code first}, which returns 20 appliances, cost 25 times what it reads and go over the cost limit.
 *
 * @param type the GraphQL type that has the field ({@code Query}, {@code FleetGroup}...)
 * @param field the field's name
 * @param defaultSize the items its resolver returns when no size is given (a schema default, if any, comes first)
 * @param largest the most items its resolver returns; a larger size is refused
 */
public record PagedField(String type, String field, long defaultSize, long largest) {

    public PagedField {
        if (defaultSize < 1 || largest < defaultSize) {
            throw new IllegalArgumentException(type + "." + field + ": the default page (" + defaultSize
                    + ") must be at least 1 and at most the largest (" + largest + ")");
        }
    }

    /** {@code Type.field}. */
    public String coordinates() {
        return type + "." + field;
    }

    /**
     * Items charged for a page when the request gives {@code size}: null (omitted, or null) is the default page; a size
     * the resolver refuses (over its largest, or not a number) is charged as the largest page.
     */
    long charged(Object size) {
        double items = size == null ? defaultSize : size instanceof Number number ? number.doubleValue() : largest;
        return items <= 0 ? 0 : (long) Math.min(items, largest);
    }
}
