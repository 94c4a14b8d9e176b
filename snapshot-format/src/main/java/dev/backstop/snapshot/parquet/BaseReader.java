package dev.backstop.snapshot.parquet;

import dev.backstop.snapshot.ColumnSpec;
import dev.backstop.snapshot.FormatException;
import dev.backstop.snapshot.Manifest;
import dev.backstop.snapshot.ManifestFile;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.Dictionary;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * Base-file rows decoded by Parquet converters straight into row arrays, with the Java value types of
 * snapshot-format's {@link ValueCodec} (the same values {@code RowFileReader.nextRow} gives, several times faster: no
 * intermediate {@code Group} per row). A base file is flat (one primitive column per field), so the rows are filled
 * column by column, {@link #BATCH} rows at a time, straight from each column's reader: no record assembly state
 * machine per value. The file's schema must be exactly the base schema of the manifest's columns
 * ({@link ParquetSchemas#base}); anything else is a {@link FormatException}.
 */
public final class BaseReader implements StreamingReplay.BaseRows {
    /** Rows decoded at once, column by column (the rows of one batch are handed out before the next is read). */
    static final int BATCH = 1024;

    private final ParquetFileReader file;
    private final MessageType schema;
    private final String createdBy;
    private final RowMaterializer converters;
    private final ColumnDescriptor[] descriptors;
    private final ColumnReader[] readers;
    private long rowsLeftInGroup;
    private Object[][] batch = new Object[0][];
    private int next;

    private BaseReader(Path path, List<ColumnSpec> columns, boolean[] rawText) throws IOException {
        file = ParquetFileReader.open(new LocalInputFile(path), ParquetReadOptions.builder(ParquetFiles.configuration()).build());
        try {
            schema = ParquetSchemas.base(columns);
            requireSchema(file.getFooter().getFileMetaData().getSchema(), schema, path);
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
        createdBy = file.getFooter().getFileMetaData().getCreatedBy();
        converters = new RowMaterializer(columns, rawText);
        descriptors = schema.getColumns().toArray(new ColumnDescriptor[0]);
        readers = new ColumnReader[descriptors.length];
    }

    private static void requireSchema(MessageType actual, MessageType expected, Path file) {
        if (actual.getFieldCount() != expected.getFieldCount()) {
            throw new FormatException(file.getFileName() + " has " + actual.getFieldCount()
                    + " columns, manifest lists " + expected.getFieldCount());
        }
        for (int i = 0; i < expected.getFieldCount(); i++) {
            Type a = actual.getType(i);
            Type e = expected.getType(i);
            if (!a.equals(e)) {
                throw new FormatException(file.getFileName() + " column " + i + " is '" + a + "', the manifest's"
                        + " column is '" + e + "'");
            }
        }
    }

    public static StreamingReplay.BaseSource sourceOf(Manifest m, TableRebuilder.FileSource files) {
        return sourceOf(m, files, false);
    }

    /**
     * The base rows of {@code m}; with {@code rawText}, the text values of every column outside the primary key are
     * {@link Utf8Text} instead of String (a table without a primary key keeps Strings: its rows are compared whole).
     */
    public static StreamingReplay.BaseSource sourceOf(Manifest m, TableRebuilder.FileSource files, boolean rawText) {
        List<ManifestFile> bases = m.baseFiles();
        boolean[] raw = new boolean[m.columns().size()];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = rawText && !m.primaryKey().isEmpty() && !m.primaryKey().contains(m.columns().get(i).name());
        }
        return () -> new StreamingReplay.BaseRows() {
            private int next;
            private BaseReader current;

            @Override
            public Object[] next() throws IOException {
                while (true) {
                    if (current == null) {
                        if (next >= bases.size()) {
                            return null;
                        }
                        current = new BaseReader(files.localFile(bases.get(next++)), m.columns(), raw);
                    }
                    Object[] row = current.next();
                    if (row != null) {
                        return row;
                    }
                    current.close();
                    current = null;
                }
            }

            @Override
            public void close() throws IOException {
                if (current != null) {
                    current.close();
                }
            }
        };
    }

    @Override
    public Object[] next() throws IOException {
        if (next == batch.length && !readBatch()) {
            return null;
        }
        Object[] row = batch[next];
        batch[next++] = null; // the caller owns the row now
        return row;
    }

    /** Decodes the next rows, column by column; false at the end of the file. */
    private boolean readBatch() throws IOException {
        while (rowsLeftInGroup == 0) {
            PageReadStore pages = file.readNextRowGroup();
            if (pages == null) {
                return false;
            }
            rowsLeftInGroup = pages.getRowCount();
            ColumnReadStoreImpl store = new ColumnReadStoreImpl(pages, converters.getRootConverter(), schema, createdBy);
            for (int i = 0; i < readers.length; i++) {
                readers[i] = store.getColumnReader(descriptors[i]);
            }
        }
        int n = (int) Math.min(BATCH, rowsLeftInGroup);
        Object[][] rows = new Object[n][];
        for (int r = 0; r < n; r++) {
            rows[r] = new Object[readers.length];
        }
        for (int i = 0; i < readers.length; i++) {
            ColumnReader reader = readers[i];
            int present = descriptors[i].getMaxDefinitionLevel();
            for (int r = 0; r < n; r++) {
                if (reader.getCurrentDefinitionLevel() == present) {
                    converters.current = rows[r];
                    reader.writeCurrentValueToConverter();
                }
                reader.consume();
            }
        }
        rowsLeftInGroup -= n;
        batch = rows;
        next = 0;
        return true;
    }

    @Override
    public void close() throws IOException {
        file.close();
    }

    /** The columns' converters, each writing its column of the row {@link #current}. */
    private static final class RowMaterializer {
        private final int width;
        private Object[] current;
        private final GroupConverter root;

        RowMaterializer(List<ColumnSpec> columns, boolean[] rawText) {
            width = columns.size();
            PrimitiveConverter[] converters = new PrimitiveConverter[width];
            for (int i = 0; i < width; i++) {
                converters[i] = converter(columns.get(i), i, rawText[i]);
            }
            root = new GroupConverter() {
                @Override
                public Converter getConverter(int fieldIndex) {
                    return converters[fieldIndex];
                }

                @Override
                public void start() {
                    // rows are allocated by the batch, not per record
                }

                @Override
                public void end() {
                }
            };
        }

        GroupConverter getRootConverter() {
            return root;
        }

        /**
         * Sets column {@code i} of the current row to the decoded value. Dictionary-encoded pages hand over entry
         * numbers: each entry is decoded once per column chunk (on first use) and its value, immutable, shared by
         * every row that uses it, instead of being decoded again for each row.
         */
        private abstract class Decoding extends PrimitiveConverter {
            private final int i;
            private Dictionary dictionary;
            private Object[] decoded;

            Decoding(int i) {
                this.i = i;
            }

            abstract Object decode(Dictionary d, int id);

            @Override
            public boolean hasDictionarySupport() {
                return true;
            }

            @Override
            public void setDictionary(Dictionary d) {
                dictionary = d;
                decoded = new Object[d.getMaxId() + 1];
            }

            @Override
            public void addValueFromDictionary(int id) {
                Object v = decoded[id];
                if (v == null) {
                    v = decode(dictionary, id);
                    decoded[id] = v;
                }
                current[i] = v;
            }
        }

        /** A column stored as Parquet binary, decoded by {@code decode}. */
        private PrimitiveConverter binary(int i, java.util.function.Function<Binary, Object> decode) {
            return new Decoding(i) {
                @Override
                Object decode(Dictionary d, int id) {
                    return decode.apply(d.decodeToBinary(id));
                }

                @Override
                public void addBinary(Binary v) {
                    current[i] = decode.apply(v);
                }
            };
        }

        private PrimitiveConverter converter(ColumnSpec c, int i, boolean rawText) {
            return switch (c.encoding()) {
                case INT16, INT32 -> new PrimitiveConverter() {
                    @Override
                    public void addInt(int v) {
                        current[i] = v;
                    }
                };
                case INT64 -> new PrimitiveConverter() {
                    @Override
                    public void addLong(long v) {
                        current[i] = v;
                    }
                };
                case DECIMAL -> {
                    int scale = c.scale();
                    yield binary(i, v -> new BigDecimal(new BigInteger(v.getBytes()), scale));
                }
                case NUMERIC_TEXT, TEXT, PG_TEXT -> rawText ? binary(i, v -> Utf8Text.wrap(v.getBytes()))
                        : binary(i, Binary::toStringUsingUTF8);
                case FLOAT32 -> new PrimitiveConverter() {
                    @Override
                    public void addFloat(float v) {
                        current[i] = v;
                    }
                };
                case FLOAT64 -> new PrimitiveConverter() {
                    @Override
                    public void addDouble(double v) {
                        current[i] = v;
                    }
                };
                case BOOL -> new PrimitiveConverter() {
                    @Override
                    public void addBoolean(boolean v) {
                        current[i] = v;
                    }
                };
                case BYTES -> binary(i, v -> Bytes.wrap(v.getBytes()));
                case UUID -> binary(i, v -> {
                    ByteBuffer bb = ByteBuffer.wrap(v.getBytes());
                    return new UUID(bb.getLong(), bb.getLong());
                });
                case DATE -> new Decoding(i) {
                    @Override
                    Object decode(Dictionary d, int id) {
                        return LocalDate.ofEpochDay(d.decodeToInt(id));
                    }

                    @Override
                    public void addInt(int v) {
                        current[i] = LocalDate.ofEpochDay(v);
                    }
                };
                case TIME -> new PrimitiveConverter() {
                    @Override
                    public void addLong(long v) {
                        current[i] = LocalTime.ofNanoOfDay(v * 1000L);
                    }
                };
                case TIMESTAMP -> new PrimitiveConverter() {
                    @Override
                    public void addLong(long v) {
                        current[i] = LocalDateTime.ofInstant(ValueCodec.fromMicros(v), ZoneOffset.UTC);
                    }
                };
                case TIMESTAMPTZ -> new PrimitiveConverter() {
                    @Override
                    public void addLong(long v) {
                        current[i] = ValueCodec.fromMicros(v);
                    }
                };
            };
        }
    }
}
