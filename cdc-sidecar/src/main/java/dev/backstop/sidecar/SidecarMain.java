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
        Sidecar sidecar = Sidecar.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sidecar.close();
            stopped.countDown();
        }));
        System.out.println("backstop sidecar " + config.sidecarId() + " running; HTTP on port " + sidecar.httpPort());
        stopped.await();
    }
}
