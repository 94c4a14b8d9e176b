package dev.backstop.gateway.resources;

import dev.backstop.gateway.auth.Scopes;
import dev.backstop.gateway.core.ErrorCode;
import dev.backstop.gateway.core.GatewayException;
import dev.backstop.gateway.core.GatewayMetrics;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.InputStream;

/** /metrics and /openapi.yaml. */
@Path("/")
public final class MiscResource {
    private final GatewayMetrics metrics;
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    public MiscResource(GatewayMetrics metrics) {
        this.metrics = metrics;
    }

    @GET
    @Path("metrics")
    public Response metrics(@Context HttpServletRequest http) {
        Requests.require(http, Scopes.METRICS_READ);
        StreamingOutput out = os -> writer.write(os, metrics.registry().scrape());
        return Response.ok(out, writer.getContentType()).build();
    }

    @GET
    @Path("openapi.yaml")
    public Response openapi() throws IOException {
        try (InputStream in = MiscResource.class.getResourceAsStream("/dev/backstop/gateway/api/openapi.yaml")) {
            if (in == null) {
                throw new GatewayException(ErrorCode.NOT_FOUND, "openapi.yaml is not packaged in this build");
            }
            return Response.ok(in.readAllBytes(), "application/yaml").build();
        }
    }

}
