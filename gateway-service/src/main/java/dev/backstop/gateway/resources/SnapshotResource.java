package dev.backstop.gateway.resources;

import dev.backstop.gateway.auth.Scopes;
import dev.backstop.gateway.core.ErrorCode;
import dev.backstop.gateway.core.GatewayException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** Recovery points: 503 snapshot_store_unavailable until the gateway reads the snapshot store. */
@Path("/v1/snapshots")
@Produces(MediaType.APPLICATION_JSON)
public final class SnapshotResource {
    @GET
    public Response snapshots(@Context HttpServletRequest http) {
        Requests.require(http, Scopes.METADATA_READ);
        throw unavailable();
    }

    @GET
    @Path("/{table}")
    public Response snapshot(@Context HttpServletRequest http, @PathParam("table") String table) {
        Requests.require(http, Scopes.METADATA_READ);
        throw unavailable();
    }

    private static GatewayException unavailable() {
        return new GatewayException(ErrorCode.SNAPSHOT_STORE_UNAVAILABLE,
                "this gateway does not read the snapshot store yet; use `backstop restore list`");
    }
}
