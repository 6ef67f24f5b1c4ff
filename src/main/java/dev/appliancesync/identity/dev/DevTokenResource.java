package dev.appliancesync.identity.dev;

import java.util.Map;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import dev.appliancesync.common.error.ApiException;
import dev.appliancesync.common.error.ErrorCode;
import io.quarkus.arc.profile.IfBuildProfile;

/** {@code POST /dev/token}: a signed access token for any user, for dev mode and tests. Not built into production. */
@Path("/dev/token")
@IfBuildProfile(anyOf = { "dev", "test" })
public class DevTokenResource {

    private final DevTokenIssuer issuer;

    public DevTokenResource(DevTokenIssuer issuer) {
        this.issuer = issuer;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> token(DevTokenRequest request) {
        if (request == null) {
            throw ApiException.validation("A JSON body with at least a username is required");
        }
        return Map.of("access_token", issuer.mint(request), "token_type", "Bearer");
    }

    @ServerExceptionMapper
    public Response invalid(ApiException failure) {
        int status = failure.code() == ErrorCode.NOT_FOUND ? 404 : 400;
        return Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(Map.of("error", failure.getMessage(), "code", failure.code().name())).build();
    }
}
