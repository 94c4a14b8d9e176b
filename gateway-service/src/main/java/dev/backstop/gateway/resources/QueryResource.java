package dev.backstop.gateway.resources;

import dev.backstop.gateway.api.QueryRequest;
import dev.backstop.gateway.auth.Scopes;
import dev.backstop.gateway.core.ClassifyService;
import dev.backstop.gateway.core.QueryService;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public final class QueryResource {
    private final QueryService queries;
    private final ClassifyService classify;

    public QueryResource(QueryService queries, ClassifyService classify) {
        this.queries = queries;
        this.classify = classify;
    }

    @POST
    @Path("/query")
    public Response query(@Context HttpServletRequest http, QueryRequest body) {
        Map.Entry<Integer, Object> r = queries.query(Requests.require(http, Scopes.QUERY_EXECUTE), body);
        return Response.status(r.getKey()).entity(r.getValue()).build();
    }

    @POST
    @Path("/classify")
    public Object classify(@Context HttpServletRequest http, QueryRequest body) {
        return classify.classify(Requests.require(http, Scopes.QUERY_ANALYZE), body);
    }
}
