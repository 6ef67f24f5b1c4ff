package dev.appliancesync.identity;

import java.util.UUID;

import dev.appliancesync.access.Subject;

/** The signed-in caller of an operation: their user row and what their token says. */
public record Caller(AppUser user, SignedInPrincipal principal) {

    public UUID id() {
        return user.id();
    }

    public Subject subject() {
        return new Subject(user.id(), principal.groups());
    }
}
