package dev.backstop.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drill schedule's handling of what its child process does, with real child processes (/bin/sh) standing in for
 * the restore tool; restore-tool's ScheduledDrillIT runs the real drill through it.
 */
class DrillScheduleTest {
    private static final String PASSED = "{\"event\":\"restore_drill\",\"ok\":true,\"tables\":[]}";
    private static final String FAILED = "{\"event\":\"restore_drill\",\"ok\":false,\"tables\":[]}";

    @TempDir
    Path dir;

    final PrometheusRegistry registry = new PrometheusRegistry();
    final List<String> alerts = new ArrayList<>();
    final Clock clock = Clock.fixed(Instant.parse("2026-11-27T03:00:00Z"), ZoneOffset.UTC);

    private DrillSchedule schedule(String script, Duration timeout) {
        return new DrillSchedule(List.of("/bin/sh", "-c", script), timeout, registry,
                (type, severity, table, message) -> alerts.add(type + " " + severity + ": " + message), clock);
    }

    private String metrics() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new PrometheusTextFormatWriter(false).write(out, registry.scrape());
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aPassingDrillSetsTheMetricsAndRaisesNothing() throws Exception {
        DrillSchedule.Outcome o = schedule("echo 'log line'; echo '" + PASSED + "'", Duration.ofSeconds(30)).runOnce();
        assertTrue(o.passed());
        assertTrue(o.verdict());
        assertEquals(List.of(), alerts);
        String m = metrics();
        assertTrue(m.contains("backstop_sidecar_drill_success 1.0\n"), m);
        assertTrue(m.contains("backstop_sidecar_drill_runs_total{result=\"passed\"} 1.0\n"), m);
        assertTrue(m.contains("backstop_sidecar_drill_last_run_timestamp_seconds 1.7957484E9\n"), m);
    }

    @Test
    void aFailedDrillIsAVerdictTheDrillAlertedItself() throws Exception {
        DrillSchedule.Outcome o = schedule("echo '" + FAILED + "'; exit 1", Duration.ofSeconds(30)).runOnce();
        assertFalse(o.passed());
        assertTrue(o.verdict());
        assertEquals(List.of(), alerts, "the drill sends its own drill_failed alert");
        String m = metrics();
        assertTrue(m.contains("backstop_sidecar_drill_success 0.0\n"), m);
        assertTrue(m.contains("backstop_sidecar_drill_runs_total{result=\"failed\"} 1.0\n"), m);
    }

    @Test
    void noVerdictIsAlertedByTheSidecar() throws Exception {
        // One schedule whose program the test rewrites between runs.
        Path program = dir.resolve("drill.sh");
        DrillSchedule d = schedule("sh " + program, Duration.ofSeconds(30));
        Files.writeString(program, "echo 'Unknown option: --bogus' >&2; exit 2\n"); // bad usage, no result line
        assertFalse(d.runOnce().verdict());
        Files.writeString(program, "echo '" + PASSED + "'; exit 1\n"); // the exit code contradicts the result line
        assertFalse(d.runOnce().verdict());
        Files.delete(program);
        assertFalse(d.runOnce().verdict()); // sh cannot open it
        DrillSchedule missing = new DrillSchedule(List.of(dir.resolve("no-such-program").toString()),
                Duration.ofSeconds(30), new PrometheusRegistry(), (t, s, tb, msg) -> alerts.add(t + " " + s + ": " + msg),
                clock);
        assertTrue(missing.runOnce().detail().startsWith("cannot start "));
        assertEquals(4, alerts.size(), alerts.toString());
        assertTrue(alerts.get(0).startsWith("drill_failed critical: scheduled restore drill gave no verdict: exit code 2,"
                + " no result line"), alerts.get(0));
        assertTrue(alerts.get(1).contains("exit code 1 contradicts the result line"), alerts.get(1));
        assertTrue(alerts.get(2).contains(", no result line; output: "), alerts.get(2)); // 127 or 2, by shell
        String m = metrics();
        assertTrue(m.contains("backstop_sidecar_drill_success 0.0\n"), m);
        assertTrue(m.contains("backstop_sidecar_drill_runs_total{result=\"error\"} 3.0\n"), m);
    }

    @Test
    void aHungDrillIsKilledAtItsTimeout() throws Exception {
        Path pidFile = dir.resolve("child.pid");
        long t0 = System.nanoTime();
        DrillSchedule.Outcome o = schedule("echo $$ > " + pidFile + "; exec sleep 60", Duration.ofSeconds(1)).runOnce();
        assertTrue((System.nanoTime() - t0) / 1e9 < 30, "returned at the timeout, not when the child ended");
        assertFalse(o.verdict());
        assertEquals("timed out after 1 s and was killed", o.detail());
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        for (int i = 0; i < 100 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false); i++) {
            Thread.sleep(50);
        }
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the child is gone");
        assertEquals(1, alerts.size());
    }

    @Test
    void restartsDoNotPostponeDrills() throws Exception {
        Duration day = Duration.ofDays(1);
        Instant now = clock.instant();
        assertEquals(day, DrillSchedule.firstDelay(day, null, now), "never ran: one interval");
        assertEquals(Duration.ofHours(3), DrillSchedule.firstDelay(day, now.minus(Duration.ofHours(21)), now));
        assertEquals(Duration.ofMinutes(1), DrillSchedule.firstDelay(day, now.minus(Duration.ofDays(3)), now),
                "overdue: one minute after start");
        assertEquals(day, DrillSchedule.firstDelay(day, now.plus(Duration.ofDays(5)), now), "a clock gone back: one interval");

        // The end of each run is kept in the state directory, where the next start reads it.
        Path config = dir.resolve("config.yml");
        Path program = dir.resolve("drill.sh");
        Files.writeString(program, "echo '" + PASSED + "'\n");
        Files.writeString(config, "sidecar:\n  drillIntervalSeconds: 86400\n  drillCommand: [ \"/bin/sh\", \"" + program
                + "\" ]\n");
        try (DrillSchedule d = DrillSchedule.start(DrillSchedule.settings(config, Map.<String, String>of()::get)
                .orElseThrow(), dir, registry, (t, s, tb, m) -> { }, clock)) {
            assertEquals(null, d.lastRun());
            assertTrue(d.runOnce().passed());
            assertEquals(clock.instant(), d.lastRun());
            assertEquals("2026-11-27T03:00:00Z", Files.readString(dir.resolve("last-drill")));
        }
    }

    @Test
    void configuration() throws Exception {
        Path config = dir.resolve("config.yml");
        Files.writeString(config, "sidecar:\n  drillIntervalSeconds: 0\n");
        assertTrue(DrillSchedule.settings(config, Map.<String, String>of()::get).isEmpty());

        Files.writeString(config, "sidecar:\n  drillIntervalSeconds: 10\n");
        IllegalArgumentException tooOften = assertThrows(IllegalArgumentException.class,
                () -> DrillSchedule.settings(config, Map.<String, String>of()::get));
        assertTrue(tooOften.getMessage().startsWith("sidecar.drillIntervalSeconds must be 0 (no scheduled drills) or >= 60"),
                tooOften.getMessage());

        Files.writeString(config, "sidecar:\n  drillIntervalSeconds: 86400\n");
        IllegalArgumentException noCommand = assertThrows(IllegalArgumentException.class,
                () -> DrillSchedule.settings(config, Map.<String, String>of()::get));
        assertTrue(noCommand.getMessage().contains("set sidecar.drillCommand"), noCommand.getMessage());

        Path home = dir.resolve("home");
        Files.createDirectories(home);
        Files.writeString(home.resolve("backstop"), "#!/bin/sh\n");
        home.resolve("backstop").toFile().setExecutable(true);
        assertEquals(List.of(home.resolve("backstop").toString(), "restore", "--config", config.toAbsolutePath().toString(),
                        "drill", "--all", "--json"),
                DrillSchedule.command(ConfigTree.read(config).path("sidecar"), config, Map.of("BACKSTOP_HOME", home.toString())::get));
        Files.writeString(config, "sidecar:\n  drillIntervalSeconds: 86400\n  drillCommand: [ \"/opt/x\", \"drill\" ]\n");
        assertEquals(List.of("/opt/x", "drill"),
                DrillSchedule.command(ConfigTree.read(config).path("sidecar"), config, Map.<String, String>of()::get));
    }
}
