package dev.backstop.demo;

import java.io.PrintStream;
import java.util.function.IntSupplier;
import java.util.function.ToLongFunction;
import java.util.function.Function;

/** The recovery half of the incident scenario: restore tool, validation, copyback. */
final class ScenarioRestore {
    private final DemoEnvironment env;
    private final PrintStream out;

    ScenarioRestore(DemoEnvironment env, PrintStream out) {
        this.env = env;
        this.out = out;
    }

    boolean restoreAndCopyBack(String table, String auditId, long rowsBefore, String fingerprintBefore,
                               ToLongFunction<String> count, Function<String, String> fingerprint, IntSupplier step) {
        out.printf("[%d] %-62s %s  %s%n", step.getAsInt(), "restore " + table + " --before-audit " + auditId, "FAIL",
                "the restore command is not wired into the demo yet");
        return false;
    }
}
