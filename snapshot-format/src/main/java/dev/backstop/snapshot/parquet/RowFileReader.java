package dev.backstop.snapshot.parquet;

import dev.backstop.snapshot.ColumnSpec;
import dev.backstop.snapshot.FormatException;
import dev.backstop.snapshot.Lsn;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.schema.GroupType;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Reads the rows of a base file or the changes of a delta file, checking its schema against the manifest's columns. */
public final class RowFileReader implements Closeable {
    private final List<ColumnSpec> columns;
    private final ParquetReader<Group> reader;
    private final Path file;

    private RowFileReader(Path file, List<ColumnSpec> columns) throws IOException {
        this.file = file;
        this.columns = List.copyOf(columns);
        this.reader = ParquetFiles.groupReader(file);
    }

    public static RowFileReader open(Path file, List<ColumnSpec> columns) throws IOException {
        return new RowFileReader(file, columns);
    }

    /** Next base row, or null at the end. */
    public Object[] nextRow() throws IOException {
        Group g = reader.read();
        return g == null ? null : rowOf(g);
    }

    /** Next change, or null at the end. */
    public ChangeRecord nextChange() throws IOException {
        Group g = reader.read();
        if (g == null) {
            return null;
        }
        GroupType t = g.getType();
        if (!t.containsField(ParquetSchemas.OP)) {
            throw new FormatException(file.getFileName() + " is not a delta file");
        }
        ChangeOp op = ChangeOp.fromWire(g.getString(ParquetSchemas.OP, 0));
        Lsn lsn = Lsn.of(g.getLong(ParquetSchemas.LSN, 0));
        int ctIdx = t.getFieldIndex(ParquetSchemas.COMMIT_TIME);
        java.time.Instant ct = g.getFieldRepetitionCount(ctIdx) == 0 ? null : ValueCodec.fromMicros(g.getLong(ctIdx, 0));
        long xid = g.getLong(ParquetSchemas.XID, 0);
        int bIdx = t.getFieldIndex(ParquetSchemas.BEFORE);
        int aIdx = t.getFieldIndex(ParquetSchemas.AFTER);
        Object[] before = g.getFieldRepetitionCount(bIdx) == 0 ? null : rowOf(g.getGroup(bIdx, 0));
        Object[] after = g.getFieldRepetitionCount(aIdx) == 0 ? null : rowOf(g.getGroup(aIdx, 0));
        return new ChangeRecord(op, lsn, ct, xid, before, after);
    }

    private Object[] rowOf(Group g) {
        GroupType t = g.getType();
        if (t.getFieldCount() != columns.size()) {
            throw new FormatException(file.getFileName() + " has " + t.getFieldCount() + " columns, manifest lists "
                    + columns.size());
        }
        Object[] row = new Object[columns.size()];
        for (int i = 0; i < row.length; i++) {
            if (!t.getFieldName(i).equals(columns.get(i).name())) {
                throw new FormatException(file.getFileName() + " column " + i + " is '" + t.getFieldName(i)
                        + "', manifest says '" + columns.get(i).name() + "'");
            }
            row[i] = ValueCodec.read(g, i, columns.get(i));
        }
        return row;
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
