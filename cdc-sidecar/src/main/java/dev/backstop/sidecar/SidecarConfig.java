package dev.backstop.sidecar;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.backstop.snapshot.store.S3Settings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The sidecar's validated configuration: {@code database}, {@code snapshots} and {@code sidecar} of config.yml
 * (docs/configuration.md). All problems are reported at once; start-up is refused on any.
 */
public record SidecarConfig(String jdbcUrl, String replicationUser, String replicationPassword, S3Settings s3,
                            String sidecarId, int httpPort, String httpToken, String slotName, String publicationName,
                            List<String> tablePatterns, Path stateDir, int flushIntervalSeconds,
                            int heartbeatIntervalSeconds, int retentionHours, Map<String, List<String>> recoveryGroups,
                            long maxBufferedChanges, long partBytes, int compactAfterDeltas, long compactMaxRows,
                            int retentionSweepMinutes, String httpBindHost, int baseParallelism,
                            long maxBufferedBytes) {

    /** Loopback unless configured: /metrics and /health need no token, so they are not offered to the network by default. */
    public static final String DEFAULT_HTTP_BIND_HOST = "127.0.0.1";

    /** Memory for buffered changes unless configured (half for finished transactions, half for the open one). */
    public static final long DEFAULT_MAX_BUFFERED_BYTES = 256L * 1024 * 1024;

    /** The same, with the default change buffer size. */
    public SidecarConfig(String jdbcUrl, String replicationUser, String replicationPassword, S3Settings s3,
                         String sidecarId, int httpPort, String httpToken, String slotName, String publicationName,
                         List<String> tablePatterns, Path stateDir, int flushIntervalSeconds,
                         int heartbeatIntervalSeconds, int retentionHours, Map<String, List<String>> recoveryGroups,
                         long maxBufferedChanges, long partBytes, int compactAfterDeltas, long compactMaxRows,
                         int retentionSweepMinutes, String httpBindHost, int baseParallelism) {
        this(jdbcUrl, replicationUser, replicationPassword, s3, sidecarId, httpPort, httpToken, slotName,
                publicationName, tablePatterns, stateDir, flushIntervalSeconds, heartbeatIntervalSeconds,
                retentionHours, recoveryGroups, maxBufferedChanges, partBytes, compactAfterDeltas, compactMaxRows,
                retentionSweepMinutes, httpBindHost, baseParallelism, DEFAULT_MAX_BUFFERED_BYTES);
    }

    /** The same, bound to {@link #DEFAULT_HTTP_BIND_HOST}, base copies with the default parallelism. */
    public SidecarConfig(String jdbcUrl, String replicationUser, String replicationPassword, S3Settings s3,
                         String sidecarId, int httpPort, String httpToken, String slotName, String publicationName,
                         List<String> tablePatterns, Path stateDir, int flushIntervalSeconds,
                         int heartbeatIntervalSeconds, int retentionHours, Map<String, List<String>> recoveryGroups,
                         long maxBufferedChanges, long partBytes, int compactAfterDeltas, long compactMaxRows,
                         int retentionSweepMinutes) {
        this(jdbcUrl, replicationUser, replicationPassword, s3, sidecarId, httpPort, httpToken, slotName,
                publicationName, tablePatterns, stateDir, flushIntervalSeconds, heartbeatIntervalSeconds,
                retentionHours, recoveryGroups, maxBufferedChanges, partBytes, compactAfterDeltas, compactMaxRows,
                retentionSweepMinutes, DEFAULT_HTTP_BIND_HOST, 0);
    }

    private static final Pattern VAR = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?}");

    /** Reads the file with {@code ${VAR:-default}} taken from the process environment. */
    public static SidecarConfig load(Path file) throws IOException {
        return load(file, System::getenv);
    }

    public static SidecarConfig load(Path file, Function<String, String> env) throws IOException {
        String text = substitute(Files.readString(file), env);
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(text);
        List<String> problems = new ArrayList<>();
        JsonNode db = root.path("database");
        JsonNode sn = root.path("snapshots");
        JsonNode sc = root.path("sidecar");
        String url = text(db, "url", null, problems, "database.url");
        S3Settings s3 = new S3Settings(sn.path("endpoint").asText(""), sn.path("region").asText("us-east-1"),
                sn.path("bucket").asText(""), sn.path("prefix").asText("backstop"), sn.path("pathStyle").asBoolean(true),
                sn.path("accessKeyId").asText(""), sn.path("secretAccessKey").asText(""));
        problems.addAll(s3.problems());
        List<String> tables = new ArrayList<>();
        sc.path("tables").forEach(n -> tables.add(n.asText()));
        if (tables.isEmpty()) {
            problems.add("sidecar.tables must list at least one schema.table pattern");
        }
        Map<String, List<String>> groups = new LinkedHashMap<>();
        sc.path("recoveryGroups").fields().forEachRemaining(e -> {
            List<String> members = new ArrayList<>();
            e.getValue().forEach(n -> members.add(n.asText()));
            groups.put(e.getKey(), members);
        });
        String offsetFile = sc.path("offsetFile").asText("./.backstop-sidecar/offsets.dat");
        Path stateDir = Path.of(sc.path("stateDir").asText(Path.of(offsetFile).toAbsolutePath().getParent().toString()));
        int flush = positive(sc, "flushIntervalSeconds", 10, problems);
        int hb = positive(sc, "heartbeatIntervalSeconds", 15, problems);
        String token = sc.path("httpToken").asText("");
        if (token.length() < 16) {
            problems.add("sidecar.httpToken must be set (at least 16 characters): /flush is refused without it");
        }
        int retentionHours = positive(sc, "retentionHours", 168, problems);
        int compactAfterDeltas = positive(sc, "compactAfterDeltas", 100, problems);
        int sweepMinutes = positive(sc, "retentionSweepMinutes", 10, problems);
        long maxBuffered = sc.path("maxBufferedChanges").asLong(200_000);
        long partBytes = sc.path("partBytes").asLong(128L * 1024 * 1024);
        long compactMaxRows = sc.path("compactMaxRows").asLong(1_000_000);
        long maxBufferedBytes = sc.path("maxBufferedBytes").asLong(DEFAULT_MAX_BUFFERED_BYTES);
        if (maxBufferedBytes < 4L * 1024 * 1024) {
            problems.add("sidecar.maxBufferedBytes must be >= 4 MiB (4194304)");
        }
        if (maxBuffered <= 0 || partBytes < 1024 * 1024 || compactMaxRows < 0) {
            problems.add("sidecar.maxBufferedChanges must be > 0, partBytes >= 1 MiB, compactMaxRows >= 0");
        }
        int httpPort = sc.path("httpPort").asInt(8091);
        if (httpPort < -1 || httpPort > 65535) {
            problems.add("sidecar.httpPort must be 0..65535 (0: any free port) or -1 (no HTTP)");
        }
        int baseParallelism = sc.path("baseParallelism").asInt(0);
        if (baseParallelism < 0 || baseParallelism > 16) {
            problems.add("sidecar.baseParallelism must be 0..16 (0: one block range per processor, at most 4)");
        }
        String bindHost = sc.path("httpBindHost").asText(DEFAULT_HTTP_BIND_HOST).trim();
        if (bindHost.isEmpty()) {
            problems.add("sidecar.httpBindHost must be an address or host name (0.0.0.0: every interface)");
        }
        // Without its own role the sidecar connects as the database section's user (which then needs REPLICATION).
        String user = sc.path("replicationUser").asText("");
        String password = sc.path("replicationPassword").asText("");
        if (user.isBlank()) {
            user = db.path("user").asText("");
            password = db.path("password").asText("");
        }
        if (user.isBlank()) {
            problems.add("sidecar.replicationUser (or database.user) is required");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid configuration:\n - " + String.join("\n - ", problems));
        }
        return new SidecarConfig(url, user, password, s3, sc.path("id").asText("sidecar-1"), httpPort, token,
                sc.path("slotName").asText("backstop"), sc.path("publicationName").asText("backstop"), tables, stateDir,
                flush, hb, retentionHours, groups, maxBuffered, partBytes, compactAfterDeltas, compactMaxRows,
                sweepMinutes, bindHost, baseParallelism, maxBufferedBytes);
    }

    static String substitute(String text, Function<String, String> env) {
        Matcher m = VAR.matcher(text);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            String v = env.apply(m.group(1));
            if (v == null || v.isEmpty()) {
                v = m.group(3) != null ? m.group(3) : "";
            }
            m.appendReplacement(b, Matcher.quoteReplacement(v));
        }
        m.appendTail(b);
        return b.toString();
    }

    private static String text(JsonNode n, String f, String dflt, List<String> problems, String name) {
        String v = n.path(f).asText(dflt == null ? "" : dflt);
        if (v.isBlank()) {
            problems.add(name + " is required");
        }
        return v;
    }

    private static int positive(JsonNode n, String f, int dflt, List<String> problems) {
        int v = n.path(f).asInt(dflt);
        if (v <= 0) {
            problems.add("sidecar." + f + " must be > 0");
        }
        return v;
    }

    @Override
    public String toString() {
        return "SidecarConfig[id=" + sidecarId + ", url=" + jdbcUrl + ", slot=" + slotName + ", tables=" + tablePatterns
                + ", s3=" + s3 + "]";
    }
}
