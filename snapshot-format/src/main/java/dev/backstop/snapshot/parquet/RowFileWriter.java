package dev.backstop.snapshot.parquet;

import dev.backstop.snapshot.ColumnSpec;
import dev.backstop.snapshot.Lsn;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroup;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes one base or delta Parquet file to local disk, streaming (memory is bounded by the row group size).
 * Use {@link #base} or {@link #delta}.
 */
public final class RowFileWriter implements Closeable {
    static final int ROW_GROUP_BYTES = 64 * 1024 * 1024;
    static final int PAGE_BYTES = 1024 * 1024;

    private final List<ColumnSpec> columns;
    private final MessageType schema;
    private final ParquetWriter<Group> writer;
    private final boolean delta;
    private long rows;
    private Lsn minLsn;
    private Lsn maxLsn;

    private RowFileWriter(Path file, List<ColumnSpec> columns, boolean delta) throws IOException {
        this.columns = List.copyOf(columns);
        this.delta = delta;
        this.schema = delta ? ParquetSchemas.delta(columns) : ParquetSchemas.base(columns);
        this.writer = ExampleParquetWriter.builder(new LocalOutputFile(file))
                .withConf(ParquetFiles.configuration())
                .withType(schema)
                .withCompressionCodec(CompressionCodecName.SNAPPY)
                .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                .withRowGroupSize((long) ROW_GROUP_BYTES)
                .withPageSize(PAGE_BYTES)
                // Delta files are written on the CDC path and short-lived (compaction folds them into a base):
                // dictionary look-ups cost more CPU there than the bytes they save after Snappy.
                .withDictionaryEncoding(!delta)
                .build();
    }

    public static RowFileWriter base(Path file, List<ColumnSpec> columns) throws IOException {
        return new RowFileWriter(file, columns, false);
    }

    public static RowFileWriter delta(Path file, List<ColumnSpec> columns) throws IOException {
        return new RowFileWriter(file, columns, true);
    }

    /** Appends a table row (base files). */
    public void writeRow(Object[] values) throws IOException {
        if (delta) {
            throw new IllegalStateException("delta file: use writeChange");
        }
        SimpleGroup g = new SimpleGroup(schema);
        fill(g, values);
        writer.write(g);
        rows++;
    }

    /** Appends a change (delta files); changes must come in stream order. */
    public void writeChange(ChangeRecord c) throws IOException {
        if (!delta) {
            throw new IllegalStateException("base file: use writeRow");
        }
        if (maxLsn != null && c.lsn().compareTo(maxLsn) < 0) {
            throw new IllegalArgumentException("change at " + c.lsn() + " after " + maxLsn + ": out of order");
        }
        SimpleGroup g = new SimpleGroup(schema);
        g.append(ParquetSchemas.OP, c.op().wireName());
        g.append(ParquetSchemas.LSN, c.lsn().value());
        if (c.commitTime() != null) {
            g.append(ParquetSchemas.COMMIT_TIME, ValueCodec.micros(c.commitTime()));
        }
        g.append(ParquetSchemas.XID, c.xid());
        if (c.before() != null) {
            fill(g.addGroup(ParquetSchemas.BEFORE), c.before());
        }
        if (c.after() != null) {
            fill(g.addGroup(ParquetSchemas.AFTER), c.after());
        }
        writer.write(g);
        rows++;
        if (minLsn == null) {
            minLsn = c.lsn();
        }
        maxLsn = c.lsn();
    }

    private void fill(Group g, Object[] values) {
        if (values.length != columns.size()) {
            throw new IllegalArgumentException("row has " + values.length + " values, table has " + columns.size());
        }
        for (int i = 0; i < values.length; i++) {
            ValueCodec.write(g, i, columns.get(i), values[i]);
        }
    }

    public long rows() {
        return rows;
    }

    /** Approximate bytes written so far (buffered data included): used to roll files at a size limit. */
    public long dataSize() {
        return writer.getDataSize();
    }

    public Lsn minLsn() {
        return minLsn;
    }

    public Lsn maxLsn() {
        return maxLsn;
    }

    @Override
    public void close() throws IOException {
        writer.close();
    }
}
