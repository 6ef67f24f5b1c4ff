package dev.appliancesync.appliance;

import org.eclipse.microprofile.graphql.Description;

@Description("The kind of appliance; what FAMILY and GUEST may do depends on it")
public enum ApplianceType {
    @Description("iQ MiniOven")
    MINI_OVEN,
    @Description("iQ Sense (smart thermometer)")
    SENSE,
    @Description("iQ Cooker")
    COOKER,
    @Description("Refrigerator (with door tablet and cameras)")
    FRIDGE,
    @Description("Any other appliance")
    GENERIC
}
