package dev.backstop.bypass;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** The registry as /metrics would serve it (Prometheus text format), parsed into series -> value. */
final class MetricsText {
    private MetricsText() {
    }

    static String text(PrometheusRegistry registry) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
            return out.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code name{label="v",...}} (as written) -> value, for every sample line. */
    static Map<String, Double> values(PrometheusRegistry registry) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String line : text(registry).split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            out.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return out;
    }
}
