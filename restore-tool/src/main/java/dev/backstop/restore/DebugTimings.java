package dev.backstop.restore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Phase timings for performance work, printed to stderr only with {@code -Dbackstop.restore.debug=true}: never part
 * of the tool's output or its decisions.
 */
final class DebugTimings {
    static final boolean ON = Boolean.getBoolean("backstop.restore.debug");

    private DebugTimings() {
    }

    static void print(String format, Object... args) {
        if (ON) {
            System.err.printf(Locale.ROOT, "[restore] " + format + "%n", args);
        }
    }

    /**
     * CPU seconds (user + system) of every thread of this JVM, grouped by thread name without its number, read from
     * {@code /proc/self/task} (Linux): shows JIT compiler and GC threads too, which the Java API does not.
     */
    static void printThreadCpu() {
        if (!ON) {
            return;
        }
        Map<String, Double> byName = new TreeMap<>();
        double hz = 100.0; // USER_HZ on Linux
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    int open = stat.indexOf('(');
                    int close = stat.lastIndexOf(')');
                    String name = stat.substring(open + 1, close).replaceAll("[#0-9]+$", "").replaceAll("[-_ #]+$", "");
                    String[] f = stat.substring(close + 2).split(" ");
                    double cpu = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / hz;
                    byName.merge(name, cpu, Double::sum);
                } catch (IOException | RuntimeException e) {
                    // a thread that ended meanwhile
                }
            }
        } catch (IOException e) {
            return;
        }
        StringBuilder b = new StringBuilder();
        byName.entrySet().stream().filter(e -> e.getValue() >= 0.02)
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> b.append(String.format(Locale.ROOT, " %s %.2f;", e.getKey(), e.getValue())));
        System.err.println("[restore] live threads' cpu s:" + b);
    }
}
