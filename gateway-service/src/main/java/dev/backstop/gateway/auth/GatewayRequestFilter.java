package dev.backstop.gateway.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backstop.gateway.api.ErrorResponse;
import dev.backstop.gateway.core.AuditCompletion;
import dev.backstop.gateway.core.AuditUnavailableException;
import dev.backstop.gateway.core.Auditor;
import dev.backstop.gateway.core.ErrorCode;
import dev.backstop.gateway.core.GatewayMetrics;
import dev.backstop.gateway.core.RequestContext;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Semaphore;

/**
 * Runs before JAX-RS for every application request: authenticates the token (the principal comes
 * from the token only), enforces the per-principal concurrency limit and the body size limit (the
 * body is read here, bounded, so an oversized body is refused with 413 before anything parses it),
 * and attaches the {@link RequestContext}. Refusals of authenticated requests are audited.
 */
public final class GatewayRequestFilter implements Filter {
    /** Served without a token. */
    private static final Set<String> PUBLIC_PATHS = Set.of("/openapi.yaml");

    private final TokenAuthenticator authenticator;
    private final ConcurrencyLimiter limiter;
    private final long maxBodyBytes;
    private final Auditor auditor;
    private final GatewayMetrics metrics;
    private final ObjectMapper json;
    private final Clock clock;

    public GatewayRequestFilter(TokenAuthenticator authenticator, ConcurrencyLimiter limiter, long maxBodyBytes,
                                Auditor auditor, GatewayMetrics metrics, ObjectMapper json, Clock clock) {
        this.authenticator = authenticator;
        this.limiter = limiter;
        this.maxBodyBytes = maxBodyBytes;
        this.auditor = auditor;
        this.metrics = metrics;
        this.json = json;
        this.clock = clock;
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest req = (HttpServletRequest) request;
        HttpServletResponse res = (HttpServletResponse) response;
        String path = req.getRequestURI().substring(req.getContextPath().length());
        if (PUBLIC_PATHS.contains(path)) {
            chain.doFilter(request, response);
            return;
        }
        Optional<Principal> principal = authenticator.authenticate(token(req));
        if (principal.isEmpty()) {
            metrics.error(ErrorCode.UNAUTHORIZED);
            res.setHeader("WWW-Authenticate", "Bearer realm=\"backstop\"");
            write(res, ErrorCode.UNAUTHORIZED, null, Map.of());
            return;
        }
        RequestContext ctx = new RequestContext(principal.get(), req.getRemoteAddr(), req.getMethod(), path,
                clock.instant());
        req.setAttribute(RequestContext.ATTRIBUTE, ctx);
        Semaphore permit = limiter.tryAcquire(ctx.principal().name());
        if (permit == null) {
            refuse(ctx, res, ErrorCode.TOO_MANY_REQUESTS, Map.of());
            return;
        }
        try {
            long declared = req.getContentLengthLong();
            if (declared > maxBodyBytes) {
                refuse(ctx, res, ErrorCode.PAYLOAD_TOO_LARGE, Map.of("max_bytes", maxBodyBytes));
                return;
            }
            byte[] body = readBounded(req.getInputStream(), maxBodyBytes);
            if (body == null) {
                refuse(ctx, res, ErrorCode.PAYLOAD_TOO_LARGE, Map.of("max_bytes", maxBodyBytes));
                return;
            }
            chain.doFilter(new BufferedBodyRequest(req, body), response);
        } finally {
            permit.release();
        }
    }

    private void refuse(RequestContext ctx, HttpServletResponse res, ErrorCode code, Map<String, Object> details)
            throws IOException {
        ErrorCode sent = code;
        try {
            auditor.record(ctx, auditor.entry(ctx).build(),
                    AuditCompletion.builder(auditor.now(), "error", code.httpStatus(), ctx.elapsedMillis())
                            .error(code, code.defaultMessage()).build());
        } catch (AuditUnavailableException e) {
            sent = ErrorCode.AUDIT_UNAVAILABLE;
            metrics.auditFailure();
        }
        metrics.error(sent);
        write(res, sent, null, sent == code ? details : Map.of());
    }

    private void write(HttpServletResponse res, ErrorCode code, String message, Map<String, Object> details)
            throws IOException {
        res.setStatus(code.httpStatus());
        // These refusals leave the request body unread: the server drops the connection after the
        // response, so say so, or a keep-alive client may send its next request into a closing socket.
        res.setHeader("Connection", "close");
        res.setContentType("application/json");
        json.writeValue(res.getOutputStream(), ErrorResponse.of(code, message, details));
    }

    private static String token(HttpServletRequest req) {
        String auth = req.getHeader("Authorization");
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return auth.substring(7).trim();
        }
        String header = req.getHeader("X-Backstop-Token");
        return header == null ? null : header.trim();
    }

    /** The whole body, or null if it is longer than max. */
    private static byte[] readBounded(InputStream in, long max) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        long total = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
            total += n;
            if (total > max) {
                return null;
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    /** The request with its body already read into memory. */
    private static final class BufferedBodyRequest extends HttpServletRequestWrapper {
        private final byte[] body;

        BufferedBodyRequest(HttpServletRequest req, byte[] body) {
            super(req);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }

                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException();
                }
            };
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }
}
