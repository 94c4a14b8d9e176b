package dev.backstop.restore;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.backstop.testsupport.EmbeddedPostgresExtension;
import dev.backstop.testsupport.PgDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Parallel COPY streams end together: when one fails (PostgreSQL often reports a bad row only when its COPY ends),
 * the others stop too and the load fails at once with that error, instead of one stream waiting forever for an END
 * marker the failing one took away. (Rows of streams that ended first may be in the table: the restore drops the
 * table it created when the load fails.)
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class ParallelCopyIT {

    @Test
    void aStreamThatFailsStopsTheOthers(PgDatabase db) throws Exception {
        db.execute("CREATE TABLE pc (id int NOT NULL)");
        for (int round = 0; round < 20; round++) {
            List<Connection> workers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                workers.add(db.connect());
            }
            try {
                assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                    try (ParallelCopy copy = new ParallelCopy(workers, "COPY pc (id) FROM STDIN", new byte[0], new byte[0])) {
                        copy.send("1\n2\n".getBytes(StandardCharsets.UTF_8));
                        copy.send("3\n".getBytes(StandardCharsets.UTF_8));
                        copy.send("not a number\n".getBytes(StandardCharsets.UTF_8));
                        assertThrows(ParallelCopy.CopyFailedException.class, copy::finish);
                    } catch (ParallelCopy.CopyFailedException failedEarly) {
                        // the failure can also surface while sending: as good
                    }
                });
            } finally {
                for (Connection c : workers) {
                    c.close();
                }
            }
        }
    }
}
