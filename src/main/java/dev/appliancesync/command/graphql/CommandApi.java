package dev.appliancesync.command.graphql;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;

import dev.appliancesync.command.CommandService;
import dev.appliancesync.command.DeviceCommand;
import dev.appliancesync.common.error.Ids;
import dev.appliancesync.common.graphql.Json;
import dev.appliancesync.identity.CurrentUser;
import io.smallrye.mutiny.Uni;

@GraphQLApi
public class CommandApi {

    private final CurrentUser currentUser;
    private final CommandService commands;

    public CommandApi(CurrentUser currentUser, CommandService commands) {
        this.currentUser = currentUser;
        this.commands = commands;
    }

    @Mutation("sendCommand")
    @NonNull
    @Description("Send a command to an appliance (MQTT QoS 1 to appliances/{thingName}/commands). Needs the "
            + "command's capability; a denied command is never sent.")
    public Uni<CommandReceipt> sendCommand(@NonNull @Id @Name("applianceId") String applianceId,
            @NonNull @Name("command") DeviceCommand command, @Name("params") Json params) {
        return currentUser.caller()
                .flatMap(caller -> commands.send(caller, Ids.parse(applianceId, "appliance"), command,
                        params == null ? null : params.value()))
                .map(CommandReceipt::of);
    }

    @Query("command")
    @NonNull
    @Description("A command's receipt and status, for anyone who may view its appliance")
    public Uni<CommandReceipt> command(@NonNull @Id @Name("id") String id) {
        return currentUser.caller().flatMap(caller -> commands.get(caller, Ids.parse(id, "command")))
                .map(CommandReceipt::of);
    }
}
