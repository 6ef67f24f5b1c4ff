package dev.appliancesync.access;

import java.util.UUID;

/** What a decision is about. */
public sealed interface Resource {

    /** An appliance of a type ({@code MINI_OVEN}, ...), in a household or not. */
    record Appliance(UUID id, String type, UUID householdId) implements Resource {
    }

    record Household(UUID id) implements Resource {
    }

    /** All appliances: the resource of fleet-wide operator actions such as provisioning. */
    record Fleet() implements Resource {
    }
}
