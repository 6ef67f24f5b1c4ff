package dev.appliancesync.identity.dev;

import java.util.List;
import java.util.regex.Pattern;

import dev.appliancesync.common.error.ApiException;

/** The body of {@code POST /dev/token}. Only username is required. */
public record DevTokenRequest(String username, String email, List<String> groups, Long expiresInSeconds) {

    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9._@+-]{1,64}");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]{1,255}\\.[^@\\s]{1,63}");
    private static final Pattern GROUP = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final int MAX_GROUPS = 20;

    /** Throws VALIDATION naming the first field that is wrong. */
    DevTokenRequest validated() {
        if (username == null || !USERNAME.matcher(username).matches()) {
            throw ApiException.validation("username is required: 1 to 64 of letters, digits and ._@+-");
        }
        if (email != null && !EMAIL.matcher(email).matches()) {
            throw ApiException.validation("email is not an email address");
        }
        if (groups != null && (groups.size() > MAX_GROUPS
                || groups.stream().anyMatch(group -> group == null || !GROUP.matcher(group).matches()))) {
            throw ApiException.validation("groups: at most " + MAX_GROUPS + " names of letters, digits, _ and -");
        }
        if (expiresInSeconds != null && expiresInSeconds < 1) {
            throw ApiException.validation("expiresInSeconds must be positive");
        }
        return this;
    }
}
