package dev.backstop.snapshot.parquet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.backstop.snapshot.ColumnSpec;
import dev.backstop.snapshot.FileKind;
import dev.backstop.snapshot.FormatException;
import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.Manifest;
import dev.backstop.snapshot.ManifestFile;
import dev.backstop.snapshot.TableRef;
import dev.backstop.snapshot.ValueEncoding;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The streaming replay against the replay rules of docs/snapshot-format.md section 8, case by case, and against a
 * plain in-memory model of those rules ({@link ReferenceReplay}) on randomized base + delta Parquet files, pushed
 * and pulled.
 */
class StreamingReplayTest {
    private static final List<ColumnSpec> COLUMNS = List.of(ColumnSpec.of("id", "bigint", ValueEncoding.INT64, false),
            ColumnSpec.of("v", "text", ValueEncoding.TEXT, true));

    @TempDir
    Path dir;

    private static List<Object[]> rows(Object[]... rows) {
        return List.of(rows);
    }

    private static Object[] r(long id, String v) {
        return new Object[] {id, v};
    }

    private static ChangeRecord ins(Object[] after) {
        return new ChangeRecord(ChangeOp.INSERT, Lsn.of(1), null, 1, null, after);
    }

    private static ChangeRecord del(Object[] before) {
        return new ChangeRecord(ChangeOp.DELETE, Lsn.of(1), null, 1, before, null);
    }

    private static ChangeRecord upd(Object[] before, Object[] after) {
        return new ChangeRecord(ChangeOp.UPDATE, Lsn.of(1), null, 1, before, after);
    }

    private static ChangeRecord trunc() {
        return new ChangeRecord(ChangeOp.TRUNCATE, Lsn.of(1), null, 1, null, null);
    }

    /** name, primary key?, base rows, changes, expected rows (as sorted texts), expected unmatched. */
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("no changes", true, rows(r(1, "a"), r(2, "b")), List.of(), List.of("1|a", "2|b"), 0),
                Arguments.of("insert", true, rows(r(1, "a")), List.of(ins(r(2, "b"))), List.of("1|a", "2|b"), 0),
                Arguments.of("update value", true, rows(r(1, "a")), List.of(upd(r(1, "a"), r(1, "z"))), List.of("1|z"), 0),
                Arguments.of("delete from base", true, rows(r(1, "a"), r(2, "b")), List.of(del(r(1, "a"))),
                        List.of("2|b"), 0),
                Arguments.of("insert then delete", true, rows(), List.of(ins(r(5, "x")), del(r(5, "x"))), List.of(), 0),
                Arguments.of("delete then re-insert", true, rows(r(1, "a")), List.of(del(r(1, "a")), ins(r(1, "n"))),
                        List.of("1|n"), 0),
                Arguments.of("key changed by update", true, rows(r(1, "a"), r(2, "b")),
                        List.of(upd(r(1, "a"), r(3, "a"))), List.of("2|b", "3|a"), 0),
                Arguments.of("key swap through a free key", true, rows(r(1, "a"), r(2, "b")),
                        List.of(upd(r(1, "a"), r(9, "a")), upd(r(2, "b"), r(1, "b")), upd(r(9, "a"), r(2, "a"))),
                        List.of("1|b", "2|a"), 0),
                Arguments.of("update chain", true, rows(r(1, "a")),
                        List.of(upd(r(1, "a"), r(1, "b")), upd(r(1, "b"), r(1, "c"))), List.of("1|c"), 0),
                Arguments.of("truncate discards base and earlier changes", true, rows(r(1, "a"), r(2, "b")),
                        List.of(ins(r(3, "c")), trunc(), ins(r(4, "d"))), List.of("4|d"), 0),
                Arguments.of("delete after truncate of a base row is unmatched", true, rows(r(1, "a")),
                        List.of(trunc(), del(r(1, "a"))), List.of(), 1),
                Arguments.of("delete before truncate of a missing row is unmatched", true, rows(r(1, "a")),
                        List.of(del(r(7, "q")), trunc()), List.of(), 1),
                Arguments.of("delete of a row not in base", true, rows(r(1, "a")), List.of(del(r(2, "b"))),
                        List.of("1|a"), 1),
                Arguments.of("double delete", true, rows(r(1, "a")), List.of(del(r(1, "a")), del(r(1, "a"))),
                        List.of(), 1),
                Arguments.of("update of a missing row still adds", true, rows(), List.of(upd(r(1, "a"), r(1, "b"))),
                        List.of("1|b"), 1),
                Arguments.of("no key: duplicates kept", false, rows(r(1, "a"), r(1, "a")), List.of(ins(r(1, "a"))),
                        List.of("1|a", "1|a", "1|a"), 0),
                Arguments.of("no key: delete removes one copy", false, rows(r(1, "a"), r(1, "a")),
                        List.of(del(r(1, "a"))), List.of("1|a"), 0),
                Arguments.of("no key: update", false, rows(r(1, "a"), r(2, "b")), List.of(upd(r(1, "a"), r(1, "z"))),
                        List.of("1|z", "2|b"), 0),
                Arguments.of("no key: delete of an absent row", false, rows(r(1, "a")),
                        List.of(del(r(1, "b")), ins(r(1, "b"))), List.of("1|a", "1|b"), 1),
                Arguments.of("no key: delete before insert of the same value", false, rows(),
                        List.of(del(r(1, "a")), ins(r(1, "a")), ins(r(1, "a")), del(r(1, "a"))), List.of("1|a"), 1),
                Arguments.of("no key: truncate", false, rows(r(1, "a")), List.of(ins(r(2, "b")), trunc(), ins(r(1, "a"))),
                        List.of("1|a"), 0),
                Arguments.of("no key: deletes before truncate need base copies", false, rows(r(1, "a")),
                        List.of(del(r(1, "a")), del(r(1, "a")), trunc()), List.of(), 1),
                Arguments.of("no key: delete after truncate", false, rows(r(1, "a")), List.of(trunc(), del(r(1, "a"))),
                        List.of(), 1),
                Arguments.of("null values in rows", false, rows(r(1, null)), List.of(del(r(1, null)), ins(r(2, null))),
                        List.of("2|null"), 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void replayRules(String name, boolean keyed, List<Object[]> base, List<ChangeRecord> changes, List<String> expected,
                     int unmatched) throws IOException {
        StreamingReplay replay = new StreamingReplay(COLUMNS, keyed ? List.of("id") : List.of());
        changes.forEach(replay::apply);
        List<Object[]> out = new ArrayList<>();
        StreamingReplay.Totals t = replay.stream(() -> rowsOf(base), out::add);
        List<Object[]> pulled = new ArrayList<>();
        try (StreamingReplay.Cursor c = replay.open(() -> rowsOf(base))) {
            assertThrows(IllegalStateException.class, c::totals, "totals before the last row");
            for (Object[] row = c.next(); row != null; row = c.next()) {
                pulled.add(row);
            }
            assertEquals(t, c.totals());
            assertNull(c.next(), "stays at its end");
            assertEquals(t, c.totals());
        }
        assertEquals(texts(out), texts(pulled));
        assertEquals(expected, texts(out), name);
        assertEquals(out.size(), t.rows());
        assertEquals(unmatched, t.unmatched(), name);
        assertEquals(changes.size(), replay.appliedChanges());
    }

    @Test
    void overlayHoldsOnlyChangedKeysNotTheBase() throws IOException {
        StreamingReplay replay = new StreamingReplay(COLUMNS, List.of("id"));
        replay.apply(upd(r(5, "a"), r(5, "b")));
        replay.apply(ins(r(2_000_000, "new")));
        long[] n = {0};
        StreamingReplay.Totals t = replay.stream(() -> generated(1_000_000), row -> n[0]++);
        assertEquals(3, replay.overlaySize()); // keys 5 and 2000000, and 5 again as needed from the base
        assertEquals(1_000_001, t.rows());
        assertEquals(0, t.unmatched());
    }

    @Test
    void missingPrimaryKeyColumnIsAFormatError() {
        assertThrows(FormatException.class, () -> new StreamingReplay(COLUMNS, List.of("nope")));
    }

    /** Randomized: base + deltas written as real Parquet files, replayed both ways at several LSNs. */
    @Test
    void equalsTheInMemoryRebuilderOnRandomizedData() throws IOException {
        Random rnd = new Random(42);
        for (int round = 0; round < 12; round++) {
            boolean keyed = round % 3 != 2;
            List<String> pk = keyed ? List.of("id") : List.of();
            Path basePath = dir.resolve("base-" + round + ".parquet");
            Map<Long, Object[]> live = new TreeMap<>();
            List<Object[]> noKey = new ArrayList<>();
            try (RowFileWriter w = RowFileWriter.base(basePath, COLUMNS)) {
                for (long id = 1; id <= 200; id++) {
                    Object[] row = r(keyed ? id : rnd.nextInt(20), rnd.nextInt(5) == 0 ? null : "v" + rnd.nextInt(4));
                    w.writeRow(row);
                    if (keyed) {
                        live.put(id, row);
                    } else {
                        noKey.add(row);
                    }
                }
            }
            List<ManifestFile> files = new ArrayList<>();
            Map<String, Path> local = new HashMap<>();
            files.add(file("base-" + round, FileKind.BASE, 1, 1));
            local.put("base-" + round, basePath);
            long lsn = 100;
            long nextId = 1000;
            for (int d = 0; d < 3; d++) {
                Path p = dir.resolve("delta-" + round + "-" + d + ".parquet");
                long min = lsn + 1;
                try (RowFileWriter w = RowFileWriter.delta(p, COLUMNS)) {
                    for (int i = 0; i < 80; i++) {
                        lsn += 1 + rnd.nextInt(2);
                        int op = rnd.nextInt(100);
                        ChangeRecord c;
                        if (op < 2) {
                            c = new ChangeRecord(ChangeOp.TRUNCATE, Lsn.of(lsn), Instant.EPOCH, 1, null, null);
                            live.clear();
                            noKey.clear();
                        } else if (keyed) {
                            c = keyedChange(rnd, live, lsn, nextId++);
                        } else {
                            c = multisetChange(rnd, noKey, lsn);
                        }
                        w.writeChange(c);
                    }
                }
                files.add(file("delta-" + round + "-" + d, FileKind.DELTA, min, lsn));
                local.put("delta-" + round + "-" + d, p);
            }
            Manifest m = new Manifest(Manifest.FORMAT_VERSION, "rp", new TableRef("db", "public", "t"), COLUMNS, pk, null,
                    "base", Lsn.of(1), Lsn.of(lsn), null, null, files, null, null);
            TableRebuilder.FileSource src = f -> local.get(f.key());
            for (long target : new long[] {1, 150, 230, 290, lsn}) {
                if (target > lsn) {
                    continue;
                }
                ReferenceReplay expected = ReferenceReplay.of(m, src, Lsn.of(target));
                StreamingReplay replay = StreamingReplay.readDeltas(m, src, Lsn.of(target));
                List<Object[]> got = new ArrayList<>();
                StreamingReplay.Totals t = replay.stream(BaseReader.sourceOf(m, src), got::add);
                String at = "round " + round + " target " + target;
                assertEquals(texts(expected.rows()), texts(got), at);
                assertEquals(expected.unmatched(), t.unmatched(), at);
                assertEquals(expected.applied(), replay.appliedChanges(), at);
                List<Object[]> pulled = new ArrayList<>();
                try (StreamingReplay.Cursor c = replay.open(BaseReader.sourceOf(m, src))) {
                    for (Object[] row = c.next(); row != null; row = c.next()) {
                        pulled.add(row);
                    }
                    assertEquals(t, c.totals(), at + " (pulled)");
                }
                assertEquals(texts(got), texts(pulled), at + " (pulled)");
            }
        }
    }

    /** Mostly valid changes against the current state, sometimes deliberately unmatched ones. */
    private static ChangeRecord keyedChange(Random rnd, Map<Long, Object[]> live, long lsn, long newId) {
        int op = rnd.nextInt(10);
        List<Long> keys = new ArrayList<>(live.keySet());
        if (op < 3 || keys.isEmpty()) {
            Object[] row = r(newId, "n" + rnd.nextInt(3));
            live.put(newId, row);
            return new ChangeRecord(ChangeOp.INSERT, Lsn.of(lsn), Instant.EPOCH, 1, null, row);
        }
        long k = keys.get(rnd.nextInt(keys.size()));
        Object[] before = op == 9 ? r(k + 100_000, "ghost") : live.get(k); // 1 in 10: unmatched
        if (op < 6) {
            live.remove(before[0]);
            return new ChangeRecord(ChangeOp.DELETE, Lsn.of(lsn), Instant.EPOCH, 1, before, null);
        }
        long newKey = op == 8 ? newId : (Long) before[0]; // key changes too
        Object[] after = r(newKey, "u" + rnd.nextInt(3));
        live.remove(before[0]);
        live.put(newKey, after);
        return new ChangeRecord(ChangeOp.UPDATE, Lsn.of(lsn), Instant.EPOCH, 1, before, after);
    }

    private static ChangeRecord multisetChange(Random rnd, List<Object[]> rows, long lsn) {
        int op = rnd.nextInt(10);
        if (op < 4 || rows.isEmpty()) {
            Object[] row = r(rnd.nextInt(20), "v" + rnd.nextInt(4));
            rows.add(row);
            return new ChangeRecord(ChangeOp.INSERT, Lsn.of(lsn), Instant.EPOCH, 1, null, row);
        }
        Object[] before = op == 9 ? r(99, "ghost") : rows.remove(rnd.nextInt(rows.size()));
        if (op < 7) {
            return new ChangeRecord(ChangeOp.DELETE, Lsn.of(lsn), Instant.EPOCH, 1, before, null);
        }
        Object[] after = r(rnd.nextInt(20), "u" + rnd.nextInt(2));
        rows.add(after);
        return new ChangeRecord(ChangeOp.UPDATE, Lsn.of(lsn), Instant.EPOCH, 1, before, after);
    }

    private static ManifestFile file(String key, FileKind kind, long min, long max) {
        return new ManifestFile(key, kind, null, null, null, Lsn.of(min), Lsn.of(max), null);
    }

    private static List<String> texts(List<Object[]> rows) {
        return rows.stream().map(row -> row[0] + "|" + row[1]).sorted().toList();
    }

    private static StreamingReplay.BaseRows rowsOf(List<Object[]> rows) {
        Iterator<Object[]> it = rows.iterator();
        return new StreamingReplay.BaseRows() {
            @Override
            public Object[] next() {
                return it.hasNext() ? it.next() : null;
            }

            @Override
            public void close() {
            }
        };
    }

    private static StreamingReplay.BaseRows generated(long n) {
        long[] i = {0};
        return new StreamingReplay.BaseRows() {
            @Override
            public Object[] next() {
                return i[0] < n ? r(++i[0], "x") : null;
            }

            @Override
            public void close() {
            }
        };
    }
}
