package dev.backstop.snapshot.parquet;

import dev.backstop.snapshot.ColumnSpec;
import dev.backstop.snapshot.FileKind;
import dev.backstop.snapshot.FormatException;
import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.Manifest;
import dev.backstop.snapshot.ManifestFile;
import dev.backstop.snapshot.SourceInfo;
import dev.backstop.snapshot.TableRef;
import dev.backstop.snapshot.ValueEncoding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class TableRebuilderTest {
    private static final List<ColumnSpec> COLS = List.of(
            ColumnSpec.of("id", "integer", ValueEncoding.INT32, false),
            ColumnSpec.of("name", "text", ValueEncoding.TEXT, true));

    @TempDir
    Path dir;

    @Test
    void replaysToEachLsnWithPrimaryKey() throws IOException {
        Map<String, Path> files = new HashMap<>();
        Path base = dir.resolve("base.parquet");
        try (RowFileWriter w = RowFileWriter.base(base, COLS)) {
            w.writeRow(new Object[]{1, "a"});
            w.writeRow(new Object[]{2, "b"});
        }
        Path delta = dir.resolve("delta.parquet");
        try (RowFileWriter w = RowFileWriter.delta(delta, COLS)) {
            w.writeChange(change(ChangeOp.INSERT, 0x20, null, new Object[]{3, "c"}));
            w.writeChange(change(ChangeOp.UPDATE, 0x30, new Object[]{1, "a"}, new Object[]{1, "A"}));
            w.writeChange(change(ChangeOp.DELETE, 0x30, new Object[]{2, "b"}, null));
            w.writeChange(change(ChangeOp.TRUNCATE, 0x40, null, null));
            w.writeChange(change(ChangeOp.INSERT, 0x50, null, new Object[]{9, null}));
        }
        files.put("base", base);
        files.put("delta", delta);
        Manifest m = manifest(List.of("id"), 0x10, 0x50);
        assertEquals(List.of("1:a", "2:b"), rows(m, files, 0x10));
        assertEquals(List.of("1:a", "2:b", "3:c"), rows(m, files, 0x2F));
        assertEquals(List.of("1:A", "3:c"), rows(m, files, 0x30));
        assertEquals(List.of(), rows(m, files, 0x40));
        assertEquals(List.of("9:null"), rows(m, files, 0x50));
        assertThrows(FormatException.class, () -> rows(m, files, 0x51));
        assertThrows(FormatException.class, () -> rows(m, files, 0x0F));
    }

    @Test
    void tableWithoutPrimaryKeyKeepsDuplicatesAndDeletesOne() throws IOException {
        Map<String, Path> files = new HashMap<>();
        Path base = dir.resolve("base.parquet");
        try (RowFileWriter w = RowFileWriter.base(base, COLS)) {
            w.writeRow(new Object[]{1, "x"});
            w.writeRow(new Object[]{1, "x"});
        }
        Path delta = dir.resolve("delta.parquet");
        try (RowFileWriter w = RowFileWriter.delta(delta, COLS)) {
            w.writeChange(change(ChangeOp.DELETE, 0x20, new Object[]{1, "x"}, null));
            w.writeChange(change(ChangeOp.DELETE, 0x21, new Object[]{5, "nope"}, null));
        }
        files.put("base", base);
        files.put("delta", delta);
        Manifest m = manifest(List.of(), 0x10, 0x21);
        TableRebuilder.RebuiltTable t = TableRebuilder.rebuild(m, f -> files.get(f.key()), Lsn.of(0x21));
        assertEquals(1, t.rows().size());
        assertEquals(1, t.unmatchedChanges());
        assertEquals(2, t.appliedChanges());
    }

    private static List<String> rows(Manifest m, Map<String, Path> files, long lsn) throws IOException {
        TableRebuilder.RebuiltTable t = TableRebuilder.rebuild(m, f -> files.get(f.key()), Lsn.of(lsn));
        assertEquals(0, t.unmatchedChanges());
        List<String> out = new ArrayList<>();
        for (Object[] r : t.rows()) {
            out.add(r[0] + ":" + r[1]);
        }
        out.sort(Comparator.naturalOrder());
        return out;
    }

    private static ChangeRecord change(ChangeOp op, long lsn, Object[] before, Object[] after) {
        return new ChangeRecord(op, Lsn.of(lsn), Instant.parse("2026-01-01T00:00:00Z"), 7, before, after);
    }

    private static Manifest manifest(List<String> pk, long base, long covered) {
        return new Manifest(1, "rp", new TableRef("db", "public", "t"), COLS, pk,
                new SourceInfo("db", "1", 1, "s", "slot"), "snap", Lsn.of(base), Lsn.of(covered), null,
                Instant.EPOCH, List.of(
                new ManifestFile("base", FileKind.BASE, null, null, null, Lsn.of(base), Lsn.of(base), null),
                new ManifestFile("delta", FileKind.DELTA, null, null, null, Lsn.of(0x20), Lsn.of(covered), null)),
                null, null);
    }
}
