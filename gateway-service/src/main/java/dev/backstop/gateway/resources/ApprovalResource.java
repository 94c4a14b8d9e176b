package dev.backstop.gateway.resources;

import dev.backstop.gateway.api.ApprovalView;
import dev.backstop.gateway.api.CommentRequest;
import dev.backstop.gateway.auth.Scopes;
import dev.backstop.gateway.core.Approval;
import dev.backstop.gateway.core.ApprovalService;
import dev.backstop.gateway.core.ErrorCode;
import dev.backstop.gateway.core.GatewayException;
import dev.backstop.gateway.core.RequestContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;

@Path("/v1/approvals")
@Produces(MediaType.APPLICATION_JSON)
public final class ApprovalResource {
    private final ApprovalService approvals;

    public ApprovalResource(ApprovalService approvals) {
        this.approvals = approvals;
    }

    @GET
    public Map<String, Object> list(@Context HttpServletRequest http, @QueryParam("status") String status,
                                    @QueryParam("limit") Integer limit) {
        Requests.require(http, Scopes.APPROVAL_READ);
        if (status != null && !Approval.STATUSES.contains(status)) {
            throw new GatewayException(ErrorCode.INVALID_PARAMETER, "status must be one of " + Approval.STATUSES,
                    Map.of("parameter", "status"));
        }
        int n = limit == null ? 100 : limit;
        if (n < 1 || n > 1000) {
            throw new GatewayException(ErrorCode.INVALID_PARAMETER, "limit must be 1..1000", Map.of("parameter", "limit"));
        }
        List<ApprovalView> items = approvals.list(status, n).stream().map(ApprovalView::of).toList();
        return Map.of("approvals", items);
    }

    /** Operators with approval:read see every approval; a requester sees their own. */
    @GET
    @Path("/{id}")
    public ApprovalView get(@Context HttpServletRequest http, @PathParam("id") String id) {
        RequestContext ctx = Requests.ctx(http);
        Approval a = approvals.get(id);
        if (!ctx.principal().hasScope(Scopes.APPROVAL_READ) && !a.requestedBy().equals(ctx.principal().name())) {
            throw new GatewayException(ErrorCode.FORBIDDEN, "this requires scope approval:read");
        }
        return ApprovalView.of(a);
    }

    @POST
    @Path("/{id}/approve")
    public Response approve(@Context HttpServletRequest http, @PathParam("id") String id, CommentRequest body) {
        RequestContext ctx = Requests.requireOperator(http, Scopes.APPROVAL_WRITE);
        Map.Entry<Integer, Object> r = approvals.approve(ctx, id, body == null ? null : body.text());
        return Response.status(r.getKey()).entity(r.getValue()).build();
    }

    /** An approval a stopped gateway left approved: record that its outcome is unknown (docs/api.md). */
    @POST
    @Path("/{id}/settle")
    public ApprovalView settle(@Context HttpServletRequest http, @PathParam("id") String id, CommentRequest body) {
        RequestContext ctx = Requests.requireOperator(http, Scopes.APPROVAL_WRITE);
        return ApprovalView.of(approvals.settle(ctx, id, body == null ? null : body.text()));
    }

    @POST
    @Path("/{id}/deny")
    public ApprovalView deny(@Context HttpServletRequest http, @PathParam("id") String id, CommentRequest body) {
        RequestContext ctx = Requests.requireOperator(http, Scopes.APPROVAL_WRITE);
        return ApprovalView.of(approvals.deny(ctx, id, body == null ? null : body.text()));
    }
}
