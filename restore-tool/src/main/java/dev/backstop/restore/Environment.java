package dev.backstop.restore;

import dev.backstop.snapshot.store.ObjectStore;
import dev.backstop.snapshot.store.S3ObjectStore;
import dev.backstop.snapshot.store.S3Settings;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.function.Function;

/**
 * Everything the tool takes from the outside world, so tests run it in-process with their own
 * streams, environment variables and clock. {@code progress}: draw progress bars on the real
 * stderr (only when it is a terminal; never in tests).
 */
public record Environment(PrintWriter out, PrintWriter err, Map<String, String> env, Clock clock, Path workingDir,
                          Function<S3Settings, ObjectStore> storeFactory, boolean progress) {

    public Environment(PrintWriter out, PrintWriter err, Map<String, String> env, Clock clock, Path workingDir,
                       Function<S3Settings, ObjectStore> storeFactory) {
        this(out, err, env, clock, workingDir, storeFactory, false);
    }

    public static Environment system() {
        return new Environment(
                new PrintWriter(System.out, true, StandardCharsets.UTF_8),
                new PrintWriter(System.err, true, StandardCharsets.UTF_8),
                System.getenv(), Clock.systemUTC(), Path.of("").toAbsolutePath(), S3ObjectStore::create,
                System.console() != null);
    }
}
