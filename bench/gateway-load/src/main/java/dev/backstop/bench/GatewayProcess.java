package dev.backstop.bench;

import dev.backstop.gateway.GatewayApplication;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The gateway under test. By default it runs in its own JVM, started from this classpath exactly as
 * {@code ./backstop gateway} would start it, so the load clients' CPU, allocation and GC are not
 * counted as the gateway's (and vice versa). {@code -Dbench.gateway=inprocess} runs it inside the
 * load driver's JVM instead (how the first figures were taken), for comparison.
 * {@code -Dbench.gatewayJvmArgs="..."} passes JVM options to the separate process (e.g. a JFR recording).
 */
final class GatewayProcess {
    private final Process process;
    private final long pid;
    private final String mode;

    private GatewayProcess(Process process, long pid, String mode) {
        this.process = process;
        this.pid = pid;
        this.mode = mode;
    }

    static GatewayProcess start(Path config, int port, String token) throws Exception {
        String mode = System.getProperty("bench.gateway", "process");
        GatewayProcess g;
        if (mode.equals("inprocess")) {
            new GatewayApplication().run("server", config.toString());
            g = new GatewayProcess(null, ProcessHandle.current().pid(), mode);
        } else if (mode.equals("process")) {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            String extra = System.getProperty("bench.gatewayJvmArgs", "").trim();
            if (!extra.isEmpty()) {
                cmd.addAll(List.of(extra.split("\\s+")));
            }
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), GatewayApplication.class.getName(),
                    "server", config.toString()));
            File log = config.resolveSibling("gateway.log").toFile();
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
            Runtime.getRuntime().addShutdownHook(new Thread(p::destroy));
            g = new GatewayProcess(p, p.pid(), mode + " (log " + log + ")");
        } else {
            throw new IllegalArgumentException("bench.gateway must be process or inprocess, not " + mode);
        }
        g.awaitReady(port, token);
        return g;
    }

    private void awaitReady(int port, String token) throws Exception {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (true) {
            if (process != null && !process.isAlive()) {
                throw new IllegalStateException("gateway exited with " + process.exitValue() + ": see " + mode);
            }
            try (MiniHttpClient c = new MiniHttpClient("127.0.0.1", port)) {
                if (c.post("/v1/query", token, "{\"sql\":\"SELECT 1\"}") == 200) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("gateway not ready after 120 s: " + mode);
            }
            Thread.sleep(200);
        }
    }

    long pid() {
        return pid;
    }

    boolean separate() {
        return process != null;
    }

    String describe() {
        return mode + ", pid " + pid;
    }

    void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            process.waitFor();
        }
    }
}
