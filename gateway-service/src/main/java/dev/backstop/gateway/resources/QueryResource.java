package dev.backstop.gateway.resources;

import dev.backstop.gateway.api.QueryRequest;
import dev.backstop.gateway.auth.Scopes;
import dev.backstop.gateway.core.ClassifyService;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;

@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public final class QueryResource {
    private final ClassifyService classify;

    /** POST /v1/query is served by {@link QueryServlet}, outside Jersey. */
    public QueryResource(ClassifyService classify) {
        this.classify = classify;
    }

    @POST
    @Path("/classify")
    public Object classify(@Context HttpServletRequest http, QueryRequest body) {
        return classify.classify(Requests.require(http, Scopes.QUERY_ANALYZE), body);
    }
}
