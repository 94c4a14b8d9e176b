package dev.backstop.sidecar;

import dev.backstop.snapshot.store.S3ObjectStore;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;

/** {@code ./backstop sidecar config.yml}: change capture to S3, heartbeat, /flush, and bypass detection. */
public final class SidecarMain {
    private SidecarMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: SidecarMain config.yml");
            System.exit(2);
        }
        if (System.getProperty("logback.configurationFile") == null) {
            // Debezium logs every connector detail at INFO (and floods a statistics warning under load).
            System.setProperty("logback.configurationFile", "backstop-sidecar-logback.xml");
        }
        Path file = Path.of(args[0]);
        SidecarConfig config;
        try {
            config = SidecarConfig.load(file);
            DrillSchedule.settings(file, System::getenv); // its keys are refused here too, before anything starts
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Running running;
        try {
            running = start(file, config, Clock.systemUTC());
        } catch (Exception e) {
            // A readable reason, no stack trace: start-up failures are mostly configuration or connectivity.
            System.err.println("backstop sidecar: cannot start: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            running.close();
            stopped.countDown();
        }));
        System.out.println("backstop sidecar " + config.sidecarId() + " running; HTTP on port " + running.sidecar().httpPort());
        stopped.await();
    }

    /** The sidecar with its alerting, bypass detection and drills (null: none scheduled), as one unit. */
    public record Running(Sidecar sidecar, BypassWatch bypass, SidecarAlerts alerts, DrillSchedule drills)
            implements AutoCloseable {
        @Override
        public void close() {
            try {
                if (drills != null) {
                    drills.close();
                }
                bypass.close();
            } finally {
                try {
                    sidecar.close();
                } finally {
                    alerts.close();
                }
            }
        }
    }

    /** Starts everything the sidecar process runs; on failure, stops what was started. */
    public static Running start(Path configFile, SidecarConfig config, Clock clock) throws Exception {
        java.util.Optional<DrillSchedule.Settings> drillSettings = DrillSchedule.settings(configFile, System::getenv);
        SidecarAlerts alerts = SidecarAlerts.start(webhookUrl(configFile), clock);
        Sidecar sidecar = null;
        try {
            sidecar = Sidecar.start(config, S3ObjectStore.create(config.s3()), clock, alerts.forSidecar());
            BypassWatch bypass = BypassWatch.start(configFile, config, sidecar.metrics().registry, alerts.sink(), clock);
            DrillSchedule drills = drillSettings.isEmpty() ? null : DrillSchedule.start(drillSettings.get(),
                    config.stateDir(), sidecar.metrics().registry, alerts.forSidecar(), clock);
            return new Running(sidecar, bypass, alerts, drills);
        } catch (Exception | Error e) {
            if (sidecar != null) {
                sidecar.close();
            }
            alerts.close();
            throw e;
        }
    }

    /** sidecar.alertWebhookUrl, else gateway.alertWebhookUrl, else none. */
    private static String webhookUrl(Path configFile) throws java.io.IOException {
        com.fasterxml.jackson.databind.JsonNode root = ConfigTree.read(configFile);
        String own = root.path("sidecar").path("alertWebhookUrl").asText("");
        return own.isBlank() ? root.path("gateway").path("alertWebhookUrl").asText("") : own;
    }
}
