package dev.backstop.gateway.resources;

import dev.backstop.gateway.api.CommentRequest;
import dev.backstop.gateway.auth.Scopes;
import dev.backstop.gateway.core.AdminService;
import dev.backstop.gateway.core.PauseStatus;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;

@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
public final class AdminResource {
    private final AdminService admin;

    public AdminResource(AdminService admin) {
        this.admin = admin;
    }

    @POST
    @Path("/admin/pause")
    public PauseStatus pause(@Context HttpServletRequest http, CommentRequest body) {
        return admin.setPause(Requests.requireOperator(http, Scopes.ADMIN_PAUSE), true,
                body != null && Boolean.TRUE.equals(body.blockAll()), body == null ? null : body.text());
    }

    @POST
    @Path("/admin/resume")
    public PauseStatus resume(@Context HttpServletRequest http, CommentRequest body) {
        return admin.setPause(Requests.requireOperator(http, Scopes.ADMIN_PAUSE), false, false,
                body == null ? null : body.text());
    }

    @GET
    @Path("/posture")
    public Map<String, Object> posture(@Context HttpServletRequest http) {
        Requests.require(http, Scopes.METADATA_READ);
        return admin.posture();
    }

    @POST
    @Path("/posture/clear")
    public Map<String, Object> clear(@Context HttpServletRequest http, CommentRequest body) {
        return admin.clearPosture(Requests.requireOperator(http, Scopes.ADMIN_POSTURE), body == null ? null : body.text());
    }
}
