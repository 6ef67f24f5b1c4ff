package dev.appliancesync.realtime.appsync;

import dev.appliancesync.common.graphql.OperationGate;
import dev.appliancesync.identity.AccessTokens;
import dev.appliancesync.realtime.websocket.LiveSelections;

/** What every AppSync connection uses, handed over by {@link AppSyncRoute}. */
record AppSyncServices(AccessTokens tokens, OperationIdentity identities, SmallRyeExecutionAdapter execution,
        AppSyncConfig config, OperationGate operations, LiveSelections selections) {
}
