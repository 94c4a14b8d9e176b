package dev.backstop.restore;

import dev.backstop.snapshot.Lsn;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import picocli.CommandLine.Option;

/** {@code --at TIME | --lsn LSN | --before-audit ID}: exactly one (picocli exclusive group). */
final class TargetOptions {
    @Option(names = "--at", paramLabel = "TIME",
            description = "ISO-8601 time with zone (2026-11-26T10:15:00Z): the table after the last transaction that "
                    + "touched it and committed at or before TIME.")
    String at;

    @Option(names = "--lsn", paramLabel = "LSN",
            description = "The table after every transaction with commit LSN <= LSN (e.g. 0/16B3748).")
    String lsn;

    @Option(names = "--before-audit", paramLabel = "ID",
            description = "Gateway audit id: the table just before that statement (every transaction that committed "
                    + "before its commit LSN). The id of an agent's request that was held for approval is followed "
                    + "to the approved execution.")
    String beforeAudit;

    Instant atInstant() {
        try {
            return OffsetDateTime.parse(at.trim().replace(' ', 'T')).toInstant();
        } catch (DateTimeParseException e) {
            throw new ConfigException("--at needs an ISO-8601 time with a zone, e.g. 2026-11-26T10:15:00Z; got '" + at + "'");
        }
    }

    Lsn lsnValue() {
        try {
            return Lsn.parse(lsn.trim());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--lsn: " + e.getMessage());
        }
    }
}
