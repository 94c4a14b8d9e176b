package dev.backstop.snapshot;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.*;

class SnapshotKeysTest {
    private final SnapshotKeys keys = new SnapshotKeys("/backstop/");
    private final TableRef orders = new TableRef("app", "public", "orders");

    @Test
    void layoutMatchesTheSpec() {
        assertEquals("backstop/tables/app/public.orders/base/00000000016B3748-1732600000000/part-00000.parquet",
                keys.basePart(orders, "00000000016B3748-1732600000000", 0));
        assertEquals("backstop/tables/app/public.orders/delta/00000000016B3748-00000000016B3800/part-00002.parquet",
                keys.deltaPart(orders, Lsn.parse("0/16B3748"), Lsn.parse("0/16B3800"), 2));
        assertEquals("backstop/tables/app/public.orders/manifests/X.json", keys.manifest(orders, "X"));
        assertEquals("backstop/tables/app/public.orders/latest.json", keys.latest(orders));
        assertEquals("backstop/heartbeat/sidecar-1.json", keys.heartbeat("sidecar-1"));
        assertEquals("backstop/quarantine/app/public.orders/X.json", keys.quarantine(orders, "X"));
        assertEquals("backstop/groups/billing/X.json", keys.groupRecoveryPoint("billing", "X"));
    }

    @Test
    void emptyPrefixHasNoLeadingSlash() {
        assertEquals("tables/app/public.orders/latest.json", new SnapshotKeys("").latest(orders));
    }

    @Test
    void namesAreEncodedUnambiguously() {
        TableRef odd = new TableRef("app", "my.schema", "Order Items/ä");
        String root = keys.tableRoot(odd);
        assertEquals("backstop/tables/app/my%2Eschema.Order%20Items%2F%C3%A4/", root);
        String[] parts = root.substring(keys.tablesRoot().length()).split("/");
        assertEquals(odd, SnapshotKeys.parseTablePath(parts[0], parts[1]).orElseThrow());
    }

    @Test
    void recoveryPointIdsSortByLsnThenTime() {
        String a = SnapshotKeys.recoveryPointId(Lsn.parse("0/FF"), Instant.ofEpochMilli(5));
        String b = SnapshotKeys.recoveryPointId(Lsn.parse("1/0"), Instant.ofEpochMilli(1));
        assertEquals("00000000000000FF-0000000000005", a);
        assertTrue(a.compareTo(b) < 0);
        assertEquals(Lsn.parse("1/0"), SnapshotKeys.lsnOfId(b).orElseThrow());
        assertEquals(b, SnapshotKeys.recoveryPointIdOfKey(keys.manifest(orders, b)).orElseThrow());
        assertTrue(SnapshotKeys.recoveryPointIdOfKey("x/manifests/garbage.json").isEmpty());
    }

    @Test
    void idCarriesItsCreationTime() {
        String id = SnapshotKeys.recoveryPointId(Lsn.of(0x1908B80L), Instant.ofEpochMilli(1795677391037L));
        assertEquals(java.util.Optional.of(Instant.ofEpochMilli(1795677391037L)), SnapshotKeys.createdAtOfId(id));
        assertEquals(java.util.Optional.empty(), SnapshotKeys.createdAtOfId("nope"));
    }
}
