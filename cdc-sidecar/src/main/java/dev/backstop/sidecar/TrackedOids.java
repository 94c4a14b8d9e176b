package dev.backstop.sidecar;

import dev.backstop.snapshot.TableRef;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Properties;

/**
 * The relation OID of each tracked table, kept in the state directory so that a table dropped and created again
 * while the sidecar was down is not resumed from the old table's recovery points.
 */
final class TrackedOids {
    private final Path file;
    private final Properties oids = new Properties();

    TrackedOids(Path file) throws IOException {
        this.file = file;
        if (Files.exists(file)) {
            try (Reader r = Files.newBufferedReader(file)) {
                oids.load(r);
            }
        }
    }

    /** The OID recorded for the table, 0 if none. */
    long previous(TableRef t) {
        String v = oids.getProperty(t.qualifiedName());
        try {
            return v == null ? 0 : Long.parseLong(v);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Replaces the file (written aside, then moved) with exactly these tables. */
    void save(Map<TableRef, Long> current) throws IOException {
        Properties p = new Properties();
        current.forEach((t, oid) -> p.setProperty(t.qualifiedName(), Long.toString(oid)));
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp)) {
            p.store(w, "relation OIDs of tracked tables");
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
