package dev.backstop.demo;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./backstop demo}: the whole system in one process on embedded PostgreSQL and S3. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run PostgreSQL + S3 + sidecar + gateway on embedded defaults, with sample data.")
public final class DemoMain implements Callable<Integer> {

    @Option(names = "--dir", description = "Demo folder (data kept across restarts). Default: ${DEFAULT-VALUE}")
    Path dir = Path.of(".backstop-demo");

    @Option(names = "--fresh", description = "Delete the demo folder first and start from scratch.")
    boolean fresh;

    @Option(names = "--scenario", description = "Run a scripted story non-interactively and exit: incident")
    String scenario;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        if (scenario != null && !scenario.equals("incident")) {
            System.err.println("demo: unknown scenario '" + scenario + "' (known: incident)");
            return 2;
        }
        CountDownLatch stopRequested = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        // Ctrl-C runs shutdown hooks; this one waits until the servers below are closed cleanly.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopRequested.countDown();
            awaitQuietly(stopped);
        }, "demo-shutdown"));
        try (DemoRun demo = DemoRun.start(dir, fresh, DemoPorts.DEFAULTS, out)) {
            if (scenario != null) {
                return demo.runIncidentScenario(out) ? 0 : 1;
            }
            demo.info.print(out);
            stopRequested.await();
            out.println("[demo] stopping");
            return 0;
        } finally {
            stopped.countDown();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static void main(String[] args) {
        if (System.getProperty("logback.configurationFile") == null) {
            // Before anything logs: Kafka Connect and Debezium would print their whole configuration at INFO.
            System.setProperty("logback.configurationFile", "backstop-demo-logback.xml");
        }
        CommandLine cmd = new CommandLine(new DemoMain());
        // A component that cannot start (a port in use, PostgreSQL refusing to start) is a clear error line, with
        // the cause's own words, not a stack trace.
        cmd.setExecutionExceptionHandler((e, line, parsed) -> {
            StringBuilder why = new StringBuilder(String.valueOf(e.getMessage()));
            for (Throwable c = e.getCause(); c != null && c != e; c = c.getCause()) {
                if (c.getMessage() != null && !why.toString().contains(c.getMessage())) {
                    why.append(": ").append(c.getMessage());
                }
            }
            System.err.println("demo: cannot run: " + why);
            return 1;
        });
        System.exit(cmd.execute(args));
    }
}
