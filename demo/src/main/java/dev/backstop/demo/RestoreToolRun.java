package dev.backstop.demo;

import dev.backstop.restore.Environment;
import dev.backstop.restore.RestoreCli;
import dev.backstop.snapshot.store.S3ObjectStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** One `backstop restore ...` command run in this JVM against the demo's config: exit code and output. */
record RestoreToolRun(int exit, String out, String err) {

    static RestoreToolRun run(Path configFile, String... args) {
        List<String> all = new ArrayList<>(List.of("--config", configFile.toString()));
        all.addAll(List.of(args));
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        Environment environment = new Environment(new PrintWriter(o, true), new PrintWriter(e, true), System.getenv(),
                Clock.systemUTC(), Path.of("").toAbsolutePath(), S3ObjectStore::create);
        int exit = RestoreCli.run(all.toArray(String[]::new), environment);
        return new RestoreToolRun(exit, o.toString(), e.toString());
    }

    /** The last {@code n} lines of output, joined, for one-line reports. */
    String lastLines(int n) {
        String[] lines = (out + err).strip().split("\n");
        return String.join(" | ", Arrays.asList(lines).subList(Math.max(0, lines.length - n), lines.length));
    }
}
