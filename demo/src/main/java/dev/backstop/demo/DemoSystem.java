package dev.backstop.demo;

import dev.backstop.gateway.GatewayApplication;
import dev.backstop.gateway.GatewayConfiguration;
import dev.backstop.sidecar.SidecarMain;
import dev.backstop.sidecar.SidecarConfig;
import io.dropwizard.testing.DropwizardTestSupport;
import java.io.PrintStream;
import java.time.Duration;

/**
 * The Backstop processes of the demo, in this JVM: the CDC sidecar first (the gateway's recovery gate
 * needs its recovery points and heartbeat), then the gateway. Closing stops them in reverse order.
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
        out.println("[demo] starting the CDC sidecar (base copies of every table, then change capture)");
        SidecarMain.Running sidecar = SidecarMain.start(env.configFile, SidecarConfig.load(env.configFile),
                java.time.Clock.systemUTC());
        boolean started = false;
        try {
            if (!sidecar.sidecar().awaitInitialRecoveryPoints(FIRST_RECOVERY_POINTS)) {
                throw new IllegalStateException("the sidecar did not publish a first recovery point of every table within "
                        + FIRST_RECOVERY_POINTS.toSeconds() + " s; see the log above");
            }
            out.println("[demo] every table has its first recovery point; sidecar HTTP on port "
                    + sidecar.sidecar().httpPort());
            out.println("[demo] starting the gateway");
            DropwizardTestSupport<GatewayConfiguration> gateway =
                    new DropwizardTestSupport<>(GatewayApplication.class, env.configFile.toString());
            gateway.before();
            started = true;
            return new DemoSystem(sidecar, gateway);
        } finally {
            if (!started) {
                sidecar.close();
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
            gateway.after();
        } finally {
            sidecar.close();
        }
    }
}
