package dev.backstop.restore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.backstop.snapshot.store.S3Settings;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the restore tool's sections of config.yml ({@code database}, {@code snapshots}); other
 * sections are ignored. {@code ${VAR}} and {@code ${VAR:-default}} in values are replaced from the
 * environment after parsing (so a secret's characters cannot change the YAML structure).
 */
public final class ConfigLoader {

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?}");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final Map<String, String> env;

    public ConfigLoader(Map<String, String> env) {
        this.env = env;
    }

    /**
     * Which file to read: the explicit one, else {@code $BACKSTOP_CONFIG}, else the demo's
     * {@code .backstop-demo/config.yml} when it exists, else {@code config.yml}.
     */
    public Path resolve(Path explicit, Path workingDir) {
        if (explicit != null) {
            return explicit;
        }
        String fromEnv = env.get("BACKSTOP_CONFIG");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Path.of(fromEnv);
        }
        Path demo = workingDir.resolve(".backstop-demo").resolve("config.yml");
        return Files.isRegularFile(demo) ? demo : workingDir.resolve("config.yml");
    }

    /**
     * Resolves (as {@link #resolve}) and loads. A file that does not exist is reported with where it came from; when
     * none was named, with both files looked for and how to name one.
     */
    public RestoreConfig load(Path explicit, Path workingDir) {
        Path file = resolve(explicit, workingDir);
        if (!Files.exists(file)) {
            String fromEnv = env.get("BACKSTOP_CONFIG");
            if (explicit != null) {
                throw new ConfigException("configuration file " + file + " (given with --config) does not exist");
            }
            if (fromEnv != null && !fromEnv.isBlank()) {
                throw new ConfigException("configuration file " + file + " (from $BACKSTOP_CONFIG) does not exist");
            }
            Path demo = workingDir.resolve(".backstop-demo").resolve("config.yml");
            throw new ConfigException("no configuration file: looked for " + demo + " (the one `./backstop demo` "
                    + "writes in the folder it runs from) and " + file + "\n"
                    + "  Pass --config FILE (or set BACKSTOP_CONFIG=FILE) to name your config.yml; for the demo, run "
                    + "this command from the folder you started `./backstop demo` in, or pass --config "
                    + "<that folder>/.backstop-demo/config.yml");
        }
        return load(file);
    }

    public RestoreConfig load(Path file) {
        JsonNode root;
        try {
            root = YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new ConfigException("cannot read configuration " + file + ": " + firstLine(e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException("configuration " + file + " is not a YAML mapping");
        }
        List<String> problems = new ArrayList<>();
        JsonNode s = root.path("snapshots");
        if (!s.isObject()) {
            problems.add("snapshots section is missing");
        }
        S3Settings settings = new S3Settings(
                text(s, "endpoint", problems), text(s, "region", problems), text(s, "bucket", problems),
                text(s, "prefix", problems), bool(s, "pathStyle", true, problems),
                text(s, "accessKeyId", problems), text(s, "secretAccessKey", problems));
        problems.addAll(settings.problems());
        JsonNode db = root.path("database");
        String url = text(db, "url", problems);
        String database = databaseName(url, problems);
        JsonNode restore = root.path("restore");
        JsonNode sidecar = root.path("sidecar");
        String user = firstNonBlank(text(restore, "user", problems), text(db, "user", problems));
        String password = firstNonBlank(text(restore, "password", problems), text(db, "password", problems));
        String stateSchema = firstNonBlank(text(db, "stateSchema", problems), "backstop");
        String slot = firstNonBlank(text(sidecar, "slotName", problems), "backstop");
        List<String> patterns = new ArrayList<>();
        sidecar.path("tables").forEach(n -> patterns.add(substitute(n.asText(), "sidecar.tables", problems)));
        Map<String, List<String>> groups = new LinkedHashMap<>();
        sidecar.path("recoveryGroups").fields().forEachRemaining(e -> {
            List<String> members = new ArrayList<>();
            e.getValue().forEach(n -> members.add(n.asText()));
            groups.put(e.getKey(), members);
        });
        boolean deleteDenied = bool(s, "expectDeleteDenied", false, problems);
        long heartbeatMax = positive(restore, "heartbeatMaxAgeSeconds", 120, problems);
        long snapshotMax = positive(restore, "snapshotMaxAgeSeconds", 300, problems);
        String webhook = firstNonBlank(text(restore, "alertWebhookUrl", problems),
                text(root.path("gateway"), "alertWebhookUrl", problems));
        JsonNode gateway = root.path("gateway");
        // Optional for the restore tool (it asks the sidecar to flush when it can): a variable that is not set in the
        // restore tool's environment makes the value unknown, not the file unusable.
        String sidecarUrl = sidecarUrl(optional(gateway, "sidecarUrl"), sidecar);
        String sidecarToken = firstNonBlank(optional(sidecar, "httpToken"), optional(gateway, "sidecarToken"));
        String tokenRef = tokenRef(firstNonBlank(raw(sidecar, "httpToken"), raw(gateway, "sidecarToken")), file);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems.stream().map(p -> file + ": " + p).toList());
        }
        return new RestoreConfig(file, settings, database, url, user, password, stateSchema, slot, patterns, groups,
                deleteDenied, heartbeatMax, snapshotMax, webhook, sidecarUrl, sidecarToken, tokenRef);
    }

    /**
     * {@code gateway.sidecarUrl} (the address the gateway reaches the sidecar at), else the sidecar's own listening
     * address from its section, with the sidecar's defaults (127.0.0.1:8091); a wildcard bind address is reached on
     * 127.0.0.1. Null without a sidecar section, or when its HTTP endpoint is off or on a random port (0).
     */
    private String sidecarUrl(String fromGateway, JsonNode sidecar) {
        if (fromGateway != null && !fromGateway.isBlank()) {
            return fromGateway.trim().replaceAll("/+$", "");
        }
        if (!sidecar.isObject()) {
            return null;
        }
        String port = optional(sidecar, "httpPort");
        int p;
        try {
            p = port == null || port.isBlank() ? 8091 : Integer.parseInt(port.trim());
        } catch (NumberFormatException e) {
            return null; // the sidecar refuses such a file itself
        }
        if (p <= 0 || p > 65535) {
            return null;
        }
        String host = firstNonBlank(optional(sidecar, "httpBindHost"), "127.0.0.1").trim();
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            host = "127.0.0.1";
        } else if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return "http://" + host + ":" + p;
    }

    /** {@code $VAR} for a token written {@code ${VAR}} or {@code ${VAR:-...}}; else a placeholder naming the file. */
    static String tokenRef(String raw, Path file) {
        if (raw != null) {
            Matcher m = VARIABLE.matcher(raw.trim());
            if (m.matches()) {
                return "$" + m.group(1);
            }
        }
        return "<sidecar.httpToken of " + file + ">";
    }

    /** A value that may be absent or unusable: null then (problems are the reader's who needs it, not ours). */
    private String optional(JsonNode section, String key) {
        List<String> ignored = new ArrayList<>();
        String v = text(section, key, ignored);
        return ignored.isEmpty() ? v : null;
    }

    private static String raw(JsonNode section, String key) {
        JsonNode n = section.path(key);
        return n.isValueNode() && !n.isNull() ? n.asText() : null;
    }

    private long positive(JsonNode section, String key, long dflt, List<String> problems) {
        String v = text(section, key, problems);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(key + " must be a positive whole number of seconds, got '" + v + "'");
        return dflt;
    }

    private static String firstNonBlank(String a, String b) {
        return a != null && !a.isBlank() ? a : (b == null || b.isBlank() ? null : b);
    }

    private String text(JsonNode section, String key, List<String> problems) {
        JsonNode n = section.path(key);
        if (n.isMissingNode() || n.isNull()) {
            return null;
        }
        if (!n.isValueNode()) {
            problems.add(key + " must be a scalar");
            return null;
        }
        return substitute(n.asText(), key, problems);
    }

    private boolean bool(JsonNode section, String key, boolean dflt, List<String> problems) {
        String v = text(section, key, problems);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(v);
        }
        problems.add(key + " must be true or false, got '" + v + "'");
        return dflt;
    }

    String substitute(String value, String key, List<String> problems) {
        Matcher m = VARIABLE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = env.get(m.group(1));
            if (v == null) {
                if (m.group(2) == null) {
                    problems.add(key + " uses ${" + m.group(1) + "}, which is not set");
                    v = "";
                } else {
                    v = m.group(3);
                }
            }
            m.appendReplacement(out, Matcher.quoteReplacement(v));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** {@code jdbc:postgresql://host:5432/app?x=y} gives {@code app}. */
    static String databaseName(String jdbcUrl, List<String> problems) {
        if (jdbcUrl == null || jdbcUrl.isBlank()) {
            return null;
        }
        if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
            problems.add("database.url must start with jdbc:postgresql:");
            return null;
        }
        try {
            String path = URI.create(jdbcUrl.substring("jdbc:".length())).getPath();
            if (path == null || path.length() <= 1) {
                return null;
            }
            return path.substring(1);
        } catch (IllegalArgumentException e) {
            problems.add("database.url is not a valid URL");
            return null;
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
