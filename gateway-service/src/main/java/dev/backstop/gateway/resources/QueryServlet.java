package dev.backstop.gateway.resources;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.backstop.gateway.api.ErrorResponse;
import dev.backstop.gateway.api.QueryRequest;
import dev.backstop.gateway.auth.Scopes;
import dev.backstop.gateway.core.Auditor;
import dev.backstop.gateway.core.ErrorCode;
import dev.backstop.gateway.core.GatewayException;
import dev.backstop.gateway.core.GatewayMetrics;
import dev.backstop.gateway.core.QueryService;
import dev.backstop.gateway.core.RequestContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Map;

/**
 * POST /v1/query as a plain servlet: the agents' hot path, where Jersey's routing, injection and
 * provider look-ups cost about a third of the gateway's CPU per request (measured, see
 * docs/benchmarks.md). It behaves as the JAX-RS resources do: the token, concurrency and body
 * limits were enforced by {@code GatewayRequestFilter} before this runs; errors are the one JSON
 * shape with the same codes ({@link GatewayExceptionMapper#translate}); and a request that no
 * service audited is audited before the response is sent, or answered 503 audit_unavailable
 * ({@link AuditResponseFilter#auditUnclaimed}).
 */
public final class QueryServlet extends HttpServlet {
    private static final String JSON = "application/json";

    private final transient QueryService queries;
    private final transient Auditor auditor;
    private final transient GatewayMetrics metrics;
    private final transient ObjectMapper json;
    private final transient ObjectReader requestReader;

    public QueryServlet(QueryService queries, Auditor auditor, GatewayMetrics metrics, ObjectMapper json) {
        this.queries = queries;
        this.auditor = auditor;
        this.metrics = metrics;
        this.json = json;
        this.requestReader = json.readerFor(QueryRequest.class);
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
        RequestContext ctx = req.getAttribute(RequestContext.ATTRIBUTE) instanceof RequestContext c ? c : null;
        int status;
        Object body;
        try {
            Map.Entry<Integer, Object> r = handle(req);
            status = r.getKey();
            body = r.getValue();
        } catch (RuntimeException | IOException e) {
            GatewayException g = GatewayExceptionMapper.translate(e);
            if (ctx != null) {
                ctx.errorCode(g.code());
            }
            metrics.error(g.code());
            status = g.code().httpStatus();
            body = ErrorResponse.of(g);
        }
        if (ctx != null && !AuditResponseFilter.auditUnclaimed(auditor, metrics, ctx, status)) {
            status = ErrorCode.AUDIT_UNAVAILABLE.httpStatus();
            body = ErrorResponse.of(ErrorCode.AUDIT_UNAVAILABLE, null, null);
        }
        res.setStatus(status);
        res.setContentType(JSON);
        json.writeValue(res.getOutputStream(), body);
    }

    private Map.Entry<Integer, Object> handle(HttpServletRequest req) throws IOException {
        if (!"POST".equals(req.getMethod())) {
            throw new GatewayException(ErrorCode.METHOD_NOT_ALLOWED);
        }
        if (!acceptsJson(req.getHeader("Accept"))) {
            throw new GatewayException(ErrorCode.NOT_ACCEPTABLE);
        }
        String type = req.getContentType();
        if (type != null && !mediaType(type).equals(JSON)) {
            throw new GatewayException(ErrorCode.UNSUPPORTED_MEDIA_TYPE);
        }
        RequestContext ctx = Requests.require(req, Scopes.QUERY_EXECUTE);
        return queries.query(ctx, read(req.getInputStream()));
    }

    /** The body (already read and bounded by the filter); an empty body is no request at all. */
    private QueryRequest read(InputStream in) throws IOException {
        byte[] bytes = in.readAllBytes();
        return bytes.length == 0 ? null : requestReader.readValue(bytes);
    }

    private static String mediaType(String header) {
        int semicolon = header.indexOf(';');
        return (semicolon < 0 ? header : header.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }

    /** As JAX-RS decides: no Accept header, or one range that covers application/json with q > 0. */
    static boolean acceptsJson(String accept) {
        if (accept == null || accept.isBlank()) {
            return true;
        }
        for (String range : accept.split(",")) {
            String type = mediaType(range);
            if ((type.equals(JSON) || type.equals("application/*") || type.equals("*/*") || type.equals("*"))
                    && !refused(range)) {
                return true;
            }
        }
        return false;
    }

    /** A q parameter of 0 means "not acceptable". */
    private static boolean refused(String range) {
        for (String param : range.split(";")) {
            String p = param.trim().toLowerCase(Locale.ROOT);
            if (p.startsWith("q=")) {
                try {
                    return Double.parseDouble(p.substring(2).trim()) <= 0;
                } catch (NumberFormatException e) {
                    return true;
                }
            }
        }
        return false;
    }
}
