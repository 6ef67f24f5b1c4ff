package dev.appliancesync.ingest;

import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.appliance.ApplianceNaming;
import dev.appliancesync.appliance.ApplianceRepository;
import dev.appliancesync.appliance.ApplianceType;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * Devices announcing themselves ({@code appliances/T/provisioned}): registered as new, unclaimed appliances, or
 * refused as {@link AnnouncementVerdict} says, each refusal a dead letter with its reason. Applied one after another
 * in the batch's transaction, so a later announcement in the batch sees an earlier one's registration.
 */
@ApplicationScoped
class ProvisioningAnnouncements {

    /** One announcement and the message it came in. */
    record Announced(DeviceMessage.Provisioned message, DeviceIngestion.Inbound inbound) {
    }

    private final ApplianceRepository appliances;

    ProvisioningAnnouncements(ApplianceRepository appliances) {
        this.appliances = appliances;
    }

    /** Registers what may be registered; adds a dead letter to {@code rejected} for each refusal. */
    Uni<Void> apply(SqlConnection tx, List<Announced> announcements, List<DeadLetters.Rejected> rejected) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Announced announced : announcements) {
            chain = chain.chain(() -> apply(tx, announced, rejected));
        }
        return chain;
    }

    private Uni<Void> apply(SqlConnection tx, Announced announced, List<DeadLetters.Rejected> rejected) {
        DeviceMessage.Provisioned message = announced.message();
        Optional<String> wrong = ApplianceNaming.identityProblem(message.serialNumber(), message.thingName());
        if (wrong.isPresent()) {
            rejected.add(refusal(announced, new AnnouncementVerdict.Refused("WRONG_SHAPE", wrong.get())));
            return Uni.createFrom().voidItem();
        }
        return judge(tx, message).chain(verdict -> switch (verdict) {
            case AnnouncementVerdict.Register register -> appliances.insertProvisioned(tx, message.serialNumber(),
                            ApplianceType.valueOf(message.type()), message.thingName(), message.claimCodeHash(),
                            message.firmwareVersion())
                    // Empty: another instance registered this serial or thing since; judged again against that.
                    .chain(inserted -> inserted.isPresent() ? Uni.createFrom().voidItem()
                            : judge(tx, message).invoke(again -> refuseUnlessRegistered(announced, again, rejected))
                                    .replaceWithVoid());
            default -> {
                refuseUnlessRegistered(announced, verdict, rejected);
                yield Uni.createFrom().voidItem();
            }
        });
    }

    private Uni<AnnouncementVerdict> judge(SqlConnection tx, DeviceMessage.Provisioned message) {
        return appliances.registeredAs(tx, message.serialNumber(), message.thingName())
                .map(registered -> AnnouncementVerdict.judge(message, registered.stream()
                        .map(r -> new AnnouncementVerdict.Registration(r.serialNumber(), r.thingName(), r.type(),
                                r.claimCodeHash(), r.claimed()))
                        .toList()));
    }

    private static void refuseUnlessRegistered(Announced announced, AnnouncementVerdict verdict,
            List<DeadLetters.Rejected> rejected) {
        switch (verdict) {
            case AnnouncementVerdict.Refused refused -> rejected.add(refusal(announced, refused));
            // Still nothing registered although the insert found a conflict: cannot be told apart from one.
            case AnnouncementVerdict.Register register -> rejected.add(refusal(announced, new AnnouncementVerdict
                    .Refused("REGISTRATION_CONFLICT", "Serial number or thing name taken while registering")));
            case AnnouncementVerdict.AlreadyRegistered same -> {
            }
        }
    }

    private static DeadLetters.Rejected refusal(Announced announced, AnnouncementVerdict.Refused refused) {
        return new DeadLetters.Rejected(announced.inbound().topic(), refused.reason(), refused.detail(),
                announced.inbound().payload());
    }
}
