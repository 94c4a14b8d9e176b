package dev.backstop.restore;

import dev.backstop.snapshot.store.S3ObjectStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/** Runs the tool in-process and captures exit code, stdout and stderr. */
record CliRun(int exitCode, String out, String err) {

    /** {@code backstop restore --config CONFIG args...}. */
    static CliRun runWithConfig(Map<String, String> env, Instant now, Path workingDir, Path config, String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--config";
        all[1] = config.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return run(env, now, workingDir, all);
    }

    static CliRun run(Map<String, String> env, Instant now, Path workingDir, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Environment environment = new Environment(new PrintWriter(out), new PrintWriter(err), env,
                Clock.fixed(now, ZoneOffset.UTC), workingDir, S3ObjectStore::create);
        int code = RestoreCli.run(args, environment);
        return new CliRun(code, out.toString(), err.toString());
    }

    List<String> outLines() {
        return out.lines().toList();
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
