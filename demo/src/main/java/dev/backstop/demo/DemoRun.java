package dev.backstop.demo;

import java.io.PrintStream;
import java.nio.file.Path;

/** A running demo: infrastructure, Backstop processes, and what a user needs to reach them. */
final class DemoRun implements AutoCloseable {
    final DemoEnvironment env;
    final DemoSystem system;
    final DemoInfo info;

    private DemoRun(DemoEnvironment env, DemoSystem system, DemoInfo info) {
        this.env = env;
        this.system = system;
        this.info = info;
    }

    static DemoRun start(Path dir, boolean fresh, DemoPorts ports, PrintStream out) throws Exception {
        DemoEnvironment env = DemoEnvironment.start(dir, fresh, ports, out);
        boolean started = false;
        try {
            DemoSystem system = DemoSystem.start(env, out);
            try {
                DemoInfo info = DemoInfo.of(env, system);
                info.writeJson(dir.resolve("demo.json"));
                started = true;
                return new DemoRun(env, system, info);
            } finally {
                if (!started) {
                    system.close();
                }
            }
        } finally {
            if (!started) {
                env.close();
            }
        }
    }

    boolean runIncidentScenario(PrintStream out) throws Exception {
        return new IncidentScenario(info, env, out).run();
    }

    @Override
    public void close() {
        try {
            system.close();
        } finally {
            env.close();
        }
    }
}
