package dev.appliancesync.appliance.graphql;

import java.util.List;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;

import dev.appliancesync.appliance.ApplianceReleases;
import dev.appliancesync.appliance.ApplianceService;
import dev.appliancesync.appliance.ClaimService;
import dev.appliancesync.appliance.ApplianceType;
import dev.appliancesync.common.error.Ids;
import dev.appliancesync.identity.CurrentUser;
import io.smallrye.mutiny.Uni;

@GraphQLApi
public class ApplianceApi {

    private final CurrentUser currentUser;
    private final ApplianceService appliances;
    private final ClaimService claims;
    private final ApplianceReleases releases;

    public ApplianceApi(CurrentUser currentUser, ApplianceService appliances, ClaimService claims,
            ApplianceReleases releases) {
        this.currentUser = currentUser;
        this.appliances = appliances;
        this.claims = claims;
        this.releases = releases;
    }

    @Query("appliances")
    @NonNull
    @Description("Every appliance the caller may view: owned, from households, shared")
    public Uni<List<@NonNull Appliance>> appliances() {
        return currentUser.caller().flatMap(appliances::list).map(views -> views.stream().map(Appliance::of).toList());
    }

    @Query("appliance")
    @NonNull
    @Description("One appliance; NOT_FOUND if it does not exist or the caller may not view it")
    public Uni<Appliance> appliance(@NonNull @Id @Name("id") String id) {
        return currentUser.caller().flatMap(caller -> appliances.get(caller, Ids.parse(id, "appliance")))
                .map(Appliance::of);
    }

    @Mutation("provisionAppliance")
    @NonNull
    @Description("Operators (group admin): register an appliance so its owner can claim it with its claim code")
    public Uni<ProvisionedAppliance> provisionAppliance(@NonNull @Name("serialNumber") String serialNumber,
            @NonNull @Name("type") ApplianceType type, @NonNull @Name("claimCode") String claimCode,
            @Description("Defaults to the serial number") @Name("thingName") String thingName,
            @Name("firmwareVersion") String firmwareVersion) {
        return currentUser.caller()
                .flatMap(caller -> appliances.provision(caller, serialNumber, type, claimCode, thingName, firmwareVersion))
                .map(ProvisionedAppliance::of);
    }

    @Mutation("claimAppliance")
    @NonNull
    @Description("Become the owner of an unclaimed appliance with the serial number and claim code on its label. "
            + "Errors: FORBIDDEN with reason CLAIM_REFUSED (no unclaimed appliance has this serial number and claim "
            + "code; an unknown serial number and a wrong code are not told apart), CONFLICT with reason "
            + "ALREADY_CLAIMED (the right code, but someone else owns it), RATE_LIMITED (too many wrong codes from "
            + "your account; extensions.retryAfterSeconds)")
    public Uni<Appliance> claimAppliance(@NonNull @Name("serialNumber") String serialNumber,
            @NonNull @Name("claimCode") String claimCode, @Name("name") String name) {
        return currentUser.caller().flatMap(caller -> claims.claim(caller, serialNumber, claimCode, name))
                .map(Appliance::of);
    }

    @Mutation("renameAppliance")
    @NonNull
    public Uni<Appliance> renameAppliance(@NonNull @Id @Name("applianceId") String applianceId,
            @NonNull @Name("name") String name) {
        return currentUser.caller()
                .flatMap(caller -> appliances.rename(caller, Ids.parse(applianceId, "appliance"), name))
                .map(Appliance::of);
    }

    @Mutation("removeAppliance")
    @NonNull
    @Id
    @Description("Owner: release the appliance; every share ends and it can be claimed again. Returns its id.")
    public Uni<String> removeAppliance(@NonNull @Id @Name("applianceId") String applianceId) {
        return currentUser.caller().flatMap(caller -> releases.remove(caller, Ids.parse(applianceId, "appliance")))
                .map(Object::toString);
    }

    @Mutation("transferOwnership")
    @NonNull
    @Id
    @Description("Owner: give the appliance to the account with this verified email; every share and household tie "
            + "ends. Returns its id.")
    public Uni<String> transferOwnership(@NonNull @Id @Name("applianceId") String applianceId,
            @NonNull @Name("newOwnerEmail") String newOwnerEmail) {
        return currentUser.caller()
                .flatMap(caller -> releases.transfer(caller, Ids.parse(applianceId, "appliance"), newOwnerEmail))
                .map(record -> record.id().toString());
    }

    @Mutation("assignApplianceToHousehold")
    @NonNull
    @Description("Owner: put the appliance into a household you own or administer (null takes it out). Its thing "
            + "name follows the household prefix; the household's members get their role on it.")
    public Uni<Appliance> assignApplianceToHousehold(@NonNull @Id @Name("applianceId") String applianceId,
            @Id @Name("householdId") String householdId) {
        return currentUser.caller()
                .flatMap(caller -> appliances.assignHousehold(caller, Ids.parse(applianceId, "appliance"),
                        householdId == null ? null : Ids.parse(householdId, "household")))
                .map(Appliance::of);
    }
}
