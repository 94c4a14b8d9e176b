package dev.backstop.sidecar;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scheduled restore drills ({@code sidecar.drillIntervalSeconds}, the issue's {@code drill_interval}): every interval
 * the sidecar runs the restore tool's {@code drill --all --json} as a child process, so recovery is proven
 * continuously. A child process, not a call: the restore tool depends on this module (its tests run the real
 * sidecar), and a drill of a large table must not take its heap and threads from change capture.
 *
 * <p>The drill itself records its result (its JSON line, logged here) and alerts its own failures (restore's webhook).
 * The sidecar publishes the outcome as metrics and alerts {@code drill_failed} itself only when the drill could not
 * give a verdict: it did not start, timed out (it is then killed), or exited without its JSON line.
 */
public final class DrillSchedule implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DrillSchedule.class);
    private static final int MAX_OUTPUT = 1 << 20;

    /** What one drill run came to. {@code verdict} false: the drill gave none (the sidecar alerted). */
    public record Outcome(boolean passed, boolean verdict, String detail) {
    }

    private final List<String> command;
    private final Duration timeout;
    /** Where the end of the last drill is kept (null: nowhere), so that restarts do not postpone drills. */
    private Path lastRunFile;
    private final AlertSink alerts;
    private final Clock clock;
    private final Gauge success;
    private final Gauge lastRun;
    private final Gauge duration;
    private final Counter runs;
    private ScheduledExecutorService scheduler;

    /** A schedule that has not started: {@link #runOnce()} runs one drill now ({@link #start} starts the timer). */
    public DrillSchedule(List<String> command, Duration timeout, PrometheusRegistry registry, AlertSink alerts,
                         Clock clock) {
        this.command = List.copyOf(command);
        this.timeout = timeout;
        this.alerts = alerts;
        this.clock = clock;
        success = Gauge.builder().name("backstop_sidecar_drill_success")
                .help("1 if the last scheduled restore drill passed, 0 if it failed or gave no verdict").register(registry);
        lastRun = Gauge.builder().name("backstop_sidecar_drill_last_run_timestamp_seconds")
                .help("When the last scheduled restore drill ended (Unix time)").register(registry);
        duration = Gauge.builder().name("backstop_sidecar_drill_duration_seconds")
                .help("How long the last scheduled restore drill took").register(registry);
        runs = Counter.builder().name("backstop_sidecar_drill_runs_total")
                .help("Scheduled restore drills by result: passed, failed (the drill's verdict) or error (no verdict)")
                .labelNames("result").register(registry);
    }

    /** The validated {@code sidecar.drill*} keys: the command, how often, how long at most. */
    public record Settings(List<String> command, Duration interval, Duration timeout) {
    }

    /**
     * The schedule configured in {@code configFile}, empty when {@code sidecar.drillIntervalSeconds} is 0 (the
     * default). Refuses (IllegalArgumentException, naming the key) a schedule it could not run: read before anything
     * starts, so a bad key stops the sidecar at start-up like any other configuration error.
     */
    public static Optional<Settings> settings(Path configFile, Function<String, String> env) throws IOException {
        JsonNode sc = ConfigTree.read(configFile).path("sidecar");
        long interval = sc.path("drillIntervalSeconds").asLong(0);
        if (interval == 0) {
            return Optional.empty();
        }
        long timeout = sc.path("drillTimeoutSeconds").asLong(3600);
        if (interval < 60 || timeout <= 0) {
            throw new IllegalArgumentException("sidecar.drillIntervalSeconds must be 0 (no scheduled drills) or >= 60,"
                    + " and sidecar.drillTimeoutSeconds > 0; got " + interval + " and " + timeout);
        }
        return Optional.of(new Settings(command(sc, configFile, env), Duration.ofSeconds(interval),
                Duration.ofSeconds(timeout)));
    }

    /** Starts a schedule; the time of the last drill is kept in {@code stateDir}. */
    public static DrillSchedule start(Settings settings, Path stateDir, PrometheusRegistry registry, AlertSink alerts,
                                      Clock clock) {
        DrillSchedule d = new DrillSchedule(settings.command(), settings.timeout(), registry, alerts, clock);
        d.lastRunFile = stateDir.resolve("last-drill");
        d.every(settings.interval(), firstDelay(settings.interval(), d.lastRun(), clock.instant()));
        return d;
    }

    /** Before restarts lose the clock: a drill that is due runs one minute after start, else when it falls due. */
    static Duration firstDelay(Duration interval, java.time.Instant lastRun, java.time.Instant now) {
        if (lastRun == null) {
            return interval;
        }
        Duration untilDue = Duration.between(now, lastRun.plus(interval));
        Duration minute = Duration.ofMinutes(1); // not in the middle of start-up (base copies)
        return untilDue.compareTo(minute) < 0 ? minute : untilDue.compareTo(interval) > 0 ? interval : untilDue;
    }

    /** When the last drill ended, from the state directory; null if never (or unreadable: then as if never). */
    java.time.Instant lastRun() {
        try {
            return lastRunFile == null || !Files.exists(lastRunFile) ? null
                    : java.time.Instant.parse(Files.readString(lastRunFile).strip());
        } catch (IOException | RuntimeException e) {
            log.warn("cannot read {} ({}): the next drill is one interval away", lastRunFile, e.toString());
            return null;
        }
    }

    private void rememberLastRun() {
        if (lastRunFile == null) {
            return;
        }
        try {
            Path tmp = lastRunFile.resolveSibling(lastRunFile.getFileName() + ".tmp");
            Files.writeString(tmp, clock.instant().toString());
            Files.move(tmp, lastRunFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            log.warn("cannot write {} ({}): after a restart the next drill is one interval away", lastRunFile,
                    e.toString());
        }
    }

    /** {@code sidecar.drillCommand}, else the launcher's restore tool on the same configuration. */
    static List<String> command(JsonNode sc, Path configFile, Function<String, String> env) {
        List<String> configured = new ArrayList<>();
        sc.path("drillCommand").forEach(n -> configured.add(n.asText()));
        if (!configured.isEmpty()) {
            return configured;
        }
        String home = env.apply("BACKSTOP_HOME");
        if (home == null || home.isBlank() || !Files.isExecutable(Path.of(home, "backstop"))) {
            throw new IllegalArgumentException("sidecar.drillIntervalSeconds is set but sidecar.drillCommand is not, and"
                    + " the sidecar was not started by ./backstop (BACKSTOP_HOME): set sidecar.drillCommand, e.g."
                    + " [\"/opt/backstop/backstop\", \"restore\", \"--config\", \"/etc/backstop/config.yml\", \"drill\","
                    + " \"--all\", \"--json\"]");
        }
        return List.of(Path.of(home, "backstop").toString(), "restore", "--config",
                configFile.toAbsolutePath().toString(), "drill", "--all", "--json");
    }

    /** Runs a drill every {@code interval}, the first one after {@code first}, one at a time. */
    void every(Duration interval, Duration first) {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "backstop-drill");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(this::runOnce, first.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        log.info("restore drills every {} s, the next in {} s: {}", interval.toSeconds(), first.toSeconds(),
                String.join(" ", command));
    }

    /** One drill, its metrics and (without a verdict) an alert. Never throws: the schedule goes on. */
    public Outcome runOnce() {
        long t0 = System.nanoTime();
        Outcome o;
        try {
            o = run();
        } catch (RuntimeException e) {
            o = new Outcome(false, false, "drill could not be run: " + e);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        success.set(o.passed() ? 1 : 0);
        lastRun.set(clock.millis() / 1000.0);
        duration.set(seconds);
        runs.labelValues(o.passed() ? "passed" : o.verdict() ? "failed" : "error").inc();
        rememberLastRun();
        if (o.passed()) {
            log.info("scheduled restore drill passed in {} s: {}", Math.round(seconds), o.detail());
        } else if (o.verdict()) {
            log.warn("scheduled restore drill FAILED (alerted by the drill): {}", o.detail());
        } else {
            log.error("scheduled restore drill gave no verdict: {}", o.detail());
            alerts.alert("drill_failed", "critical", null, "scheduled restore drill gave no verdict: " + o.detail());
        }
        return o;
    }

    private Outcome run() {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            return new Outcome(false, false, "cannot start " + command.get(0) + ": " + e.getMessage());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread reader = new Thread(() -> drain(p.getInputStream(), out), "backstop-drill-output");
        reader.setDaemon(true);
        reader.start();
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                return new Outcome(false, false, "timed out after " + timeout.toSeconds() + " s and was killed");
            }
            reader.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            return new Outcome(false, false, "interrupted (sidecar stopping)");
        }
        String text;
        synchronized (out) {
            text = out.toString(StandardCharsets.UTF_8);
        }
        return verdict(p.exitValue(), text);
    }

    /**
     * The drill's verdict from its exit code (0 passed, 1 failed) and its JSON line ({@code "event":"restore_drill"});
     * both must be there and agree, or there is no verdict.
     */
    static Outcome verdict(int exitCode, String output) {
        JsonNode result = null;
        for (String line : output.split("\n")) {
            if (line.startsWith("{")) {
                try {
                    JsonNode j = new ObjectMapper().readTree(line);
                    if ("restore_drill".equals(j.path("event").asText())) {
                        result = j;
                    }
                } catch (IOException e) {
                    // not the drill's line
                }
            }
        }
        if (result == null || !result.path("ok").isBoolean()) {
            String tail = output.length() > 500 ? output.substring(output.length() - 500) : output;
            return new Outcome(false, false, "exit code " + exitCode + ", no result line; output: " + tail.strip());
        }
        boolean ok = result.path("ok").asBoolean();
        if ((exitCode == 0) != ok || (exitCode != 0 && exitCode != 1)) {
            return new Outcome(false, false, "exit code " + exitCode + " contradicts the result line " + result);
        }
        return new Outcome(ok, true, result.toString());
    }

    private static void drain(InputStream in, ByteArrayOutputStream out) {
        byte[] buf = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                synchronized (out) {
                    if (out.size() < MAX_OUTPUT) {
                        out.write(buf, 0, Math.min(n, MAX_OUTPUT - out.size()));
                    }
                }
            }
        } catch (IOException e) {
            // the process ended or was killed: what was read is kept
        }
    }

    @Override
    public void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }
}
