package dev.backstop.sidecar;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/** {@code ./backstop sidecar config.yml} */
public final class SidecarMain {
    private SidecarMain() {
    }

    public static void main(String[] args) throws Exception {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "backstop-sidecar-logback.xml");
        }
        if (args.length != 1) {
            System.err.println("usage: SidecarMain config.yml");
            System.exit(2);
        }
        SidecarConfig config;
        try {
            config = SidecarConfig.load(Path.of(args[0]));
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Sidecar sidecar;
        try {
            sidecar = Sidecar.start(config);
        } catch (Exception e) {
            // Readable reason, no stack trace: most start-up failures are configuration or connectivity.
            System.err.println("backstop sidecar: cannot start: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sidecar.close();
            stopped.countDown();
        }));
        System.out.println("backstop sidecar " + config.sidecarId() + " running; HTTP on port " + sidecar.httpPort());
        stopped.await();
    }
}
