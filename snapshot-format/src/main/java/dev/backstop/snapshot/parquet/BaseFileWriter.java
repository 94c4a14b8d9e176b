package dev.backstop.snapshot.parquet;

import dev.backstop.snapshot.ColumnSpec;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.OutputFile;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes one base Parquet file from {@link BaseRow}s (the fast path of the base copy): same schema, codec, row group
 * and page sizes and dictionary setting as {@link RowFileWriter#base}, without building a Group per row. Memory is
 * bounded by the row group size.
 */
public final class BaseFileWriter implements Closeable {
    /** How often (in rows) the buffered size is recomputed: it walks every column, too costly per row. */
    private static final int SIZE_CHECK_ROWS = 256;

    private final ParquetWriter<BaseRow> writer;
    private final int columns;
    private long rows;
    private long dataSize;

    private BaseFileWriter(Path file, List<ColumnSpec> columns) throws IOException {
        this.columns = columns.size();
        this.writer = new Builder(new LocalOutputFile(file), new BaseRowWriteSupport(columns))
                .withConf(ParquetFiles.configuration())
                .withCompressionCodec(CompressionCodecName.SNAPPY)
                .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                .withRowGroupSize((long) RowFileWriter.ROW_GROUP_BYTES)
                .withPageSize(RowFileWriter.PAGE_BYTES)
                .withDictionaryEncoding(true)
                .build();
    }

    public static BaseFileWriter open(Path file, List<ColumnSpec> columns) throws IOException {
        return new BaseFileWriter(file, columns);
    }

    /** Appends the row (its values are encoded now: the caller may refill it afterwards). */
    public void write(BaseRow row) throws IOException {
        if (row.columns() != columns) {
            throw new IllegalArgumentException("row has " + row.columns() + " columns, file has " + columns);
        }
        writer.write(row);
        rows++;
        if (rows % SIZE_CHECK_ROWS == 0) {
            dataSize = writer.getDataSize();
        }
    }

    public long rows() {
        return rows;
    }

    /** Approximate bytes written so far (buffered data included), refreshed every few hundred rows. */
    public long dataSize() {
        return dataSize;
    }

    @Override
    public void close() throws IOException {
        writer.close();
    }

    private static final class Builder extends ParquetWriter.Builder<BaseRow, Builder> {
        private final BaseRowWriteSupport support;

        Builder(OutputFile file, BaseRowWriteSupport support) {
            super(file);
            this.support = support;
        }

        @Override
        protected Builder self() {
            return this;
        }

        @Override
        protected WriteSupport<BaseRow> getWriteSupport(Configuration conf) {
            return support;
        }

        @Override
        protected WriteSupport<BaseRow> getWriteSupport(ParquetConfiguration conf) {
            return support;
        }
    }
}
