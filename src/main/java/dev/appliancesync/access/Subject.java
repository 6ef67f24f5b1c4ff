package dev.appliancesync.access;

import java.util.Set;
import java.util.UUID;

/** Who is asking: the user and their token groups (Cognito groups). */
public record Subject(UUID userId, Set<String> groups) {

    public Subject {
        groups = Set.copyOf(groups);
    }
}
