package dev.appliancesync.identity.graphql;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.NonNull;

@Description("Another person, as shares show them")
public record Person(@NonNull @Id String id, String username, String email) {
}
