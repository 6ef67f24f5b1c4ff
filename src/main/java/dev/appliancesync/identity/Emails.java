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
            throw ApiException.validation("Not an email address: " + (email == null ? "(none)" : email));
        }
        return normal;
    }
}
