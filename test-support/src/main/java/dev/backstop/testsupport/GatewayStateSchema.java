package dev.backstop.testsupport;

import java.io.IOException;
import java.sql.SQLException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Creates the gateway's state schema in a test database from the gateway's own Flyway migrations, read from the
 * gateway module's sources, for tests of modules that read or write the gateway's tables (the bypass detector's
 * {@code gateway_backends} and {@code bypass_events}, the restore tool's audit records) without depending on
 * gateway-service: a copy of the definitions could drift from what the gateway really creates.
 */
public final class GatewayStateSchema {
    /** Relative to the directory of the module under test, where Maven runs the tests. */
    private static final Path MIGRATIONS = Path.of("..", "gateway-service", "src", "main", "resources", "db",
            "migration", "backstop");

    private GatewayStateSchema() {
    }

    /** Runs every {@code V<n>__*.sql} in version order with the search path set to {@code backstop}, as Flyway does. */
    public static void create(PgDatabase db) throws IOException, SQLException {
        if (!Files.isDirectory(MIGRATIONS)) {
            throw new IllegalStateException("the gateway's migrations are not at " + MIGRATIONS.toAbsolutePath()
                    + ": run the tests from a module directory of a full checkout");
        }
        List<Path> versions;
        try (Stream<Path> files = Files.list(MIGRATIONS)) {
            versions = files.filter(f -> f.getFileName().toString().matches("V\\d+__.*\\.sql"))
                    .sorted((a, b) -> Integer.compare(version(a), version(b))).toList();
        }
        if (versions.isEmpty()) {
            throw new IllegalStateException("no migrations in " + MIGRATIONS.toAbsolutePath());
        }
        db.execute("CREATE SCHEMA IF NOT EXISTS backstop");
        for (Path v : versions) {
            db.execute("SET search_path TO backstop; " + Files.readString(v) + "; RESET search_path");
        }
    }

    private static int version(Path migration) {
        String name = migration.getFileName().toString();
        return Integer.parseInt(name.substring(1, name.indexOf("__")));
    }
}
