package dev.backstop.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * CPU time by process from /proc (Linux): the load driver, the gateway (when it is a separate
 * process), PostgreSQL (postmaster, its live children, and the children it has reaped), and the
 * whole machine, so a run can say where each request's CPU went and how much other work (other
 * builds on the machine) was competing for the same cores.
 */
final class CpuMeter {
    /** USER_HZ: the unit of /proc times; 100 on every Linux this runs on (getconf CLK_TCK). */
    private static final double TICKS_PER_SECOND = 100.0;

    record Sample(double driver, double gateway, double postgres, double machineBusy) {
        Sample minus(Sample o) {
            return new Sample(driver - o.driver, gateway - o.gateway, postgres - o.postgres, machineBusy - o.machineBusy);
        }
    }

    private final long driverPid;
    private final long gatewayPid;
    private final long postmasterPid;

    CpuMeter(long driverPid, long gatewayPid, long postmasterPid) {
        this.driverPid = driverPid;
        this.gatewayPid = gatewayPid;
        this.postmasterPid = postmasterPid;
    }

    Sample sample() {
        double driver = seconds(driverPid, false);
        double gateway = gatewayPid == driverPid ? 0 : seconds(gatewayPid, false);
        double pg = seconds(postmasterPid, true);
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            pg += procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .mapToDouble(p -> {
                        long pid = Long.parseLong(p.getFileName().toString());
                        String[] f = stat(pid);
                        return f != null && Long.parseLong(f[1]) == postmasterPid ? seconds(f, false) : 0;
                    }).sum();
        } catch (IOException e) {
            pg = Double.NaN;
        }
        return new Sample(driver, gateway, pg, machineBusy());
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    private static double seconds(long pid, boolean withReapedChildren) {
        String[] f = stat(pid);
        return f == null ? 0 : seconds(f, withReapedChildren);
    }

    /** Fields after the command name: [0]=state, [1]=ppid, ..., [11]=utime, [12]=stime, [13]=cutime, [14]=cstime. */
    private static double seconds(String[] f, boolean withReapedChildren) {
        long t = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        if (withReapedChildren) {
            t += Long.parseLong(f[13]) + Long.parseLong(f[14]);
        }
        return t / TICKS_PER_SECOND;
    }

    private static String[] stat(long pid) {
        try {
            String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return s.substring(s.lastIndexOf(')') + 2).split(" ");
        } catch (IOException | RuntimeException gone) {
            return null;
        }
    }

    /** All CPUs' non-idle time (user, nice, system, irq, softirq, steal), in seconds. */
    private static double machineBusy() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
                busy += Long.parseLong(f[i]);
            }
            return busy / TICKS_PER_SECOND;
        } catch (IOException e) {
            return Double.NaN;
        }
    }
}
