package dev.appliancesync.common.error;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A failure the caller should see as it is: a code from {@link ErrorCode}, a message written for people, and optional
 * details (for example the current version on a CONFLICT). Everything else becomes {@link ErrorCode#INTERNAL}.
 */
public class ApiException extends RuntimeException {

    private final ErrorCode code;
    private final Map<String, Object> details;

    public ApiException(ErrorCode code, String message) {
        this(code, message, Map.of());
    }

    public ApiException(ErrorCode code, String message, Map<String, Object> details) {
        super(message, null, false, false);
        this.code = code;
        this.details = Map.copyOf(details);
    }

    public static ApiException unauthenticated() {
        return new ApiException(ErrorCode.UNAUTHENTICATED, "Sign in: a valid access token is required");
    }

    public static ApiException validation(String message) {
        return new ApiException(ErrorCode.VALIDATION, message);
    }

    public ErrorCode code() {
        return code;
    }

    /** The GraphQL {@code extensions} of this error: the code first, then the details. */
    public Map<String, Object> extensions() {
        Map<String, Object> extensions = new LinkedHashMap<>();
        extensions.put("code", code.name());
        extensions.putAll(details);
        return extensions;
    }
}
