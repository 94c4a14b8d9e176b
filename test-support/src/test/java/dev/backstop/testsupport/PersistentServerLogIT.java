package dev.backstop.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A kept cluster (the demo's) writes its server's output to a log beside its data, a start that fails quotes that
 * log's last lines, and a port another server holds is refused before zonky could mistake that server for its own.
 */
class PersistentServerLogIT {
    @TempDir
    Path dir;

    @Test
    void aBusyPortIsRefusedWithItsReason() {
        try (EmbeddedPgServer first = EmbeddedPgServer.launchPersistent(dir.resolve("one"), 0)) {
            UncheckedIOException busy = assertThrows(UncheckedIOException.class,
                    () -> EmbeddedPgServer.launchPersistent(dir.resolve("two"), first.port()).close());
            assertTrue(busy.getMessage().startsWith("cannot start embedded PostgreSQL: port " + first.port()
                    + " on 127.0.0.1 is in use"), busy.getMessage());
            assertTrue(first.isRunning());
        }
    }

    @Test
    void aFailedStartQuotesTheServersOwnLog() throws Exception {
        Path data = dir.resolve("kept");
        try (EmbeddedPgServer first = EmbeddedPgServer.launchPersistent(data, 0)) {
            assertEquals(dir.resolve("kept.log"), first.serverLog());
            assertTrue(Files.readString(first.serverLog()).contains("database system is ready to accept connections"));
        }
        Files.writeString(data.resolve("postgresql.auto.conf"), "shared_buffers = 'plenty'\n",
                StandardOpenOption.APPEND);
        UncheckedIOException failed = assertThrows(UncheckedIOException.class,
                () -> EmbeddedPgServer.launchPersistent(data, 0, Duration.ofSeconds(5)).close());
        assertTrue(failed.getMessage().startsWith("cannot start embedded PostgreSQL (its log, " + dir.resolve("kept.log")
                + ", ends with:"), failed.getMessage());
        assertTrue(failed.getMessage().contains("shared_buffers"), failed.getMessage());
    }
}
