package dev.appliancesync.identity;

import java.util.UUID;

import io.vertx.mutiny.sqlclient.Row;

/** A person who has signed in at least once (a row of app_user). */
public record AppUser(UUID id, String subject, String username, String email, boolean emailVerified) {

    /** Reads the user columns of {@code row}; {@code prefix} is the column alias prefix ("" for app_user itself). */
    public static AppUser from(Row row, String prefix) {
        return new AppUser(row.getUUID(prefix + "id"), row.getString(prefix + "subject"),
                row.getString(prefix + "username"), row.getString(prefix + "email"),
                row.getBoolean(prefix + "email_verified"));
    }
}
