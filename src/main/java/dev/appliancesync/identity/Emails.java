package dev.appliancesync.identity;

import java.util.Locale;
import java.util.regex.Pattern;

import dev.appliancesync.common.error.ApiException;

/** Emails as shares and transfers address people: trimmed, lower-case, plausibly shaped. */
public final class Emails {

    private static final Pattern SHAPE = Pattern.compile("[^@\\s]{1,64}@[^@\\s.]+(\\.[^@\\s.]+)+");

    private Emails() {
    }

    /** The normalised email; VALIDATION when it is not one. */
    public static String normalise(String email) {
        String normal = email == null ? "" : email.strip().toLowerCase(Locale.ROOT);
        if (normal.length() > 320 || !SHAPE.matcher(normal).matches()) {
            // Echoes what was sent only when it is short: a 60 KB "email" is not repeated back.
            throw ApiException.validation(email == null || email.length() > 320 ? "Not an email address"
                    : "Not an email address: " + email);
        }
        return normal;
    }
}
