package dev.backstop.gateway.resources;

import dev.backstop.gateway.auth.Scopes;
import dev.backstop.gateway.core.ErrorCode;
import dev.backstop.gateway.core.GatewayException;
import dev.backstop.gateway.gate.SnapshotView;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;

/** Recovery points from the snapshot store: 503 snapshot_store_unavailable when none is configured or reachable. */
@Path("/v1/snapshots")
@Produces(MediaType.APPLICATION_JSON)
public final class SnapshotResource {
    private final SnapshotView view;

    /** @param view null when the gateway has no snapshot store */
    public SnapshotResource(SnapshotView view) {
        this.view = view;
    }

    @GET
    public Map<String, Object> snapshots(@Context HttpServletRequest http) {
        Requests.require(http, Scopes.METADATA_READ);
        return view().all();
    }

    @GET
    @Path("/{table}")
    public Map<String, Object> snapshot(@Context HttpServletRequest http, @PathParam("table") String table) {
        Requests.require(http, Scopes.METADATA_READ);
        return view().table(table);
    }

    private SnapshotView view() {
        if (view == null) {
            throw new GatewayException(ErrorCode.SNAPSHOT_STORE_UNAVAILABLE,
                    "this gateway has no snapshot store configured (snapshots.bucket); use `backstop restore list`");
        }
        return view;
    }
}
