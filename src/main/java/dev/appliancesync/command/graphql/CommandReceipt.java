package dev.appliancesync.command.graphql;

import java.time.OffsetDateTime;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.NonNull;

import dev.appliancesync.command.CommandRecord;
import dev.appliancesync.command.DeviceCommand;
import dev.appliancesync.common.graphql.Json;

@Description("A command sent to an appliance and what became of it")
public record CommandReceipt(@NonNull @Id String id, @NonNull @Id String applianceId, @NonNull DeviceCommand command,
        @NonNull Json params,
        @NonNull @Description("PENDING, SENT (the broker has it), SUCCEEDED, FAILED or TIMED_OUT") String status,
        Json result, String error, @NonNull OffsetDateTime createdAt, OffsetDateTime sentAt,
        OffsetDateTime completedAt) {

    public static CommandReceipt of(CommandRecord c) {
        return new CommandReceipt(c.id().toString(), c.applianceId().toString(), DeviceCommand.valueOf(c.command()),
                Json.of(c.params()), c.status(), c.result() == null ? null : Json.of(c.result()), c.error(),
                c.createdAt(), c.sentAt(), c.completedAt());
    }
}
