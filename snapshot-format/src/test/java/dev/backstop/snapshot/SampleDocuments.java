package dev.backstop.snapshot;

import java.time.Instant;
import java.util.List;

/** Fixed documents used by the round-trip and golden-file tests. */
final class SampleDocuments {
    static final TableRef ORDERS = new TableRef("app", "public", "orders");

    static Manifest manifest() {
        return new Manifest(1, "00000000016B3800-1764151530123", ORDERS,
                List.of(ColumnSpec.of("id", "bigint", ValueEncoding.INT64, false),
                        ColumnSpec.decimal("amount", "numeric(12,2)", 12, 2, true),
                        ColumnSpec.of("note", "text", ValueEncoding.TEXT, true),
                        ColumnSpec.of("tags", "text[]", ValueEncoding.PG_TEXT, true)),
                List.of("id"),
                new SourceInfo("app", "7441234567890123456", 1, "sidecar-1", "backstop"),
                "00000000016B3748-1764151500000", Lsn.parse("0/16B3748"), Lsn.parse("0/16B3800"),
                Instant.parse("2026-11-26T10:05:29.123456Z"), Instant.parse("2026-11-26T10:05:30.123Z"),
                List.of(new ManifestFile("backstop/tables/app/public.orders/base/00000000016B3748-1764151500000/part-00000.parquet",
                                FileKind.BASE, "a".repeat(64), 1234L, 10L, Lsn.parse("0/16B3748"), Lsn.parse("0/16B3748"), "etag-1"),
                        new ManifestFile("backstop/tables/app/public.orders/delta/00000000016B3749-00000000016B3800/part-00000.parquet",
                                FileKind.DELTA, "b".repeat(64), 567L, 3L, Lsn.parse("0/16B3760"), Lsn.parse("0/16B3800"), "etag-2")),
                12L, null);
    }

    static Heartbeat heartbeat() {
        return new Heartbeat(1, "sidecar-1", "app", "7441234567890123456", "backstop", 42,
                Instant.parse("2026-11-26T10:05:00.000001Z"), Lsn.parse("0/16B3900"), Lsn.parse("0/16B3900"),
                Instant.parse("2026-11-26T10:05:00.250Z"));
    }

    static LatestPointer latest() {
        return new LatestPointer(1, ORDERS, "00000000016B3800-1764151530123",
                "backstop/tables/app/public.orders/manifests/00000000016B3800-1764151530123.json", "c".repeat(64),
                Lsn.parse("0/16B3800"), Instant.parse("2026-11-26T10:05:30.200Z"));
    }

    static QuarantineMarker quarantine() {
        return new QuarantineMarker(1, ORDERS, "00000000016B3800-1764151530123", "bad \"row\"\ncount", "oncall-operator",
                Instant.parse("2026-11-26T11:00:00Z"));
    }

    static GroupRecoveryPoint group() {
        return new GroupRecoveryPoint(1, "billing", "00000000016B3800-1764151530999", Lsn.parse("0/16B3800"),
                Instant.parse("2026-11-26T10:05:31Z"),
                List.of(new GroupRecoveryPoint.Member(new TableRef("app", "public", "invoices"), "k1", "d".repeat(64)),
                        new GroupRecoveryPoint.Member(ORDERS, "k2", "e".repeat(64))), null);
    }

    private SampleDocuments() {
    }
}
