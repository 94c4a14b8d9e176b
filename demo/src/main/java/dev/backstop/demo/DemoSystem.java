package dev.backstop.demo;

import dev.backstop.gateway.GatewayApplication;
import dev.backstop.gateway.GatewayConfiguration;
import dev.backstop.sidecar.SidecarMain;
import dev.backstop.sidecar.SidecarConfig;
import io.dropwizard.testing.DropwizardTestSupport;
import java.io.PrintStream;
import java.time.Duration;

/**
 * The Backstop processes of the demo, in this JVM: the gateway first, then the CDC sidecar. The gateway
 * creates its state schema at start-up (Flyway), and the sidecar's bypass detector reads two of its tables
 * (gateway_backends, bypass_events) from its first poll on: started the other way round, that first poll
 * finds no tables and the detector, failing closed as it must, reports the posture degraded for one poll
 * interval. The gateway needs nothing of the sidecar to start (its recovery gate reads S3 per request, and
 * the banner is printed only once every table has its first recovery point). Closing stops them in reverse
 * order: the sidecar (change capture and bypass detection) first, then the gateway.
 */
final class DemoSystem implements AutoCloseable {
    private static final Duration FIRST_RECOVERY_POINTS = Duration.ofMinutes(3);

    private final SidecarMain.Running sidecar;
    private final DropwizardTestSupport<GatewayConfiguration> gateway;

    private DemoSystem(SidecarMain.Running sidecar, DropwizardTestSupport<GatewayConfiguration> gateway) {
        this.sidecar = sidecar;
        this.gateway = gateway;
    }

    static DemoSystem start(DemoEnvironment env, PrintStream out) throws Exception {
        out.println("[demo] starting the gateway (it creates its state schema, which bypass detection reads)");
        DropwizardTestSupport<GatewayConfiguration> gateway =
                new DropwizardTestSupport<>(GatewayApplication.class, env.configFile.toString());
        gateway.before();
        boolean started = false;
        try {
            out.println("[demo] starting the CDC sidecar (base copies of every table, then change capture, bypass detection)");
            SidecarMain.Running sidecar = SidecarMain.start(env.configFile, SidecarConfig.load(env.configFile),
                    java.time.Clock.systemUTC());
            try {
                if (!sidecar.sidecar().awaitInitialRecoveryPoints(FIRST_RECOVERY_POINTS)) {
                    throw new IllegalStateException("the sidecar did not publish a first recovery point of every table "
                            + "within " + FIRST_RECOVERY_POINTS.toSeconds() + " s; see the log above");
                }
                out.println("[demo] every table has its first recovery point; sidecar HTTP on port "
                        + sidecar.sidecar().httpPort());
                started = true;
                return new DemoSystem(sidecar, gateway);
            } finally {
                if (!started) {
                    sidecar.close();
                }
            }
        } finally {
            if (!started) {
                gateway.after();
            }
        }
    }

    int gatewayPort() {
        return gateway.getLocalPort();
    }

    int gatewayAdminPort() {
        return gateway.getAdminPort();
    }

    int sidecarPort() {
        return sidecar.sidecar().httpPort();
    }

    @Override
    public void close() {
        try {
            sidecar.close();
        } finally {
            gateway.after();
        }
    }
}
