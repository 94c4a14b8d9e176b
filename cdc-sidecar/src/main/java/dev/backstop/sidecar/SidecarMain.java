package dev.backstop.sidecar;

import dev.backstop.sidecar.http.SidecarHttp;

import java.nio.file.Path;

/** {@code ./backstop sidecar config.yml} */
public final class SidecarMain {
    private SidecarMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: SidecarMain config.yml");
            System.exit(2);
        }
        SidecarConfig config;
        try {
            config = SidecarConfig.load(Path.of(args[0]), System::getenv);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Sidecar sidecar = Sidecar.create(config);
        sidecar.start();
        SidecarHttp http = SidecarHttp.start(sidecar, config.httpPort(), config.httpToken());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            http.stop();
            try {
                sidecar.close();
            } catch (Exception e) {
                System.err.println("shutdown: " + e);
            }
        }));
        Thread.currentThread().join();
    }
}
