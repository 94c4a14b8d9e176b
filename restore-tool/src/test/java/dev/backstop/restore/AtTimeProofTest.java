package dev.backstop.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.backstop.snapshot.Heartbeat;
import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.Manifest;
import dev.backstop.snapshot.SourceInfo;
import dev.backstop.snapshot.TableRef;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Up to when a recovery point proves every commit is in it: not its writing time (the stream runs behind it), but
 * the table's own last recorded change, or the sidecar's heartbeat row (server clock) when the point covers its
 * commit, less a second.
 */
class AtTimeProofTest {
    private static final Instant WRITTEN = Instant.parse("2026-11-26T10:00:10Z");
    private static final Instant LAST_CHANGE = Instant.parse("2026-11-26T09:50:00Z");
    private static final SourceInfo SOURCE = new SourceInfo("app", "7000000000000000001", 1, "sc-1", "slot");

    private static Manifest covering(Lsn covered, Instant lastChange) {
        return new Manifest(Manifest.FORMAT_VERSION, "rp", TableRef.parse("app", "public.orders"), List.of(),
                List.of("id"), SOURCE, "base", Lsn.parse("0/100"), covered, lastChange, WRITTEN, List.of(), 0L, null);
    }

    private static Heartbeat heartbeat(String system, Lsn lsn, Instant writtenAt) {
        return new Heartbeat(1, "sc-1", "app", system, "slot", 7, writtenAt, lsn, lsn, writtenAt.plusSeconds(1));
    }

    @Test
    void theWritingTimeProvesNothingTheLastChangeDoes() {
        assertEquals(LAST_CHANGE, AtTime.provenUpTo(covering(Lsn.parse("0/500"), LAST_CHANGE), Optional.empty()));
        assertNull(AtTime.provenUpTo(covering(Lsn.parse("0/500"), null), Optional.empty()));
    }

    @Test
    void aCoveredHeartbeatRowProvesUpToASecondBeforeItWasWritten() {
        Heartbeat h = heartbeat(SOURCE.systemIdentifier(), Lsn.parse("0/480"), Instant.parse("2026-11-26T10:00:05Z"));
        assertEquals(Instant.parse("2026-11-26T10:00:04Z"),
                AtTime.provenUpTo(covering(Lsn.parse("0/500"), LAST_CHANGE), Optional.of(h)));
        // its row committed after what the point covers: no proof from it
        Heartbeat later = heartbeat(SOURCE.systemIdentifier(), Lsn.parse("0/520"), Instant.parse("2026-11-26T10:00:09Z"));
        assertEquals(LAST_CHANGE, AtTime.provenUpTo(covering(Lsn.parse("0/500"), LAST_CHANGE), Optional.of(later)));
        // another server's heartbeat proves nothing about this one
        Heartbeat other = heartbeat("7000000000000000002", Lsn.parse("0/480"), Instant.parse("2026-11-26T10:00:05Z"));
        assertEquals(LAST_CHANGE, AtTime.provenUpTo(covering(Lsn.parse("0/500"), LAST_CHANGE), Optional.of(other)));
    }

    @Test
    void aChangeLaterThanTheHeartbeatRowProvesMore() {
        Instant change = Instant.parse("2026-11-26T10:00:07Z");
        Heartbeat h = heartbeat(SOURCE.systemIdentifier(), Lsn.parse("0/480"), Instant.parse("2026-11-26T10:00:05Z"));
        assertEquals(change, AtTime.provenUpTo(covering(Lsn.parse("0/500"), change), Optional.of(h)));
    }
}
