package dev.backstop.snapshot.parquet;

import dev.backstop.snapshot.ColumnSpec;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;

import java.util.List;
import java.util.Map;

/**
 * Writes a {@link BaseRow} straight to Parquet's record consumer (no intermediate example Group objects). The
 * schema is exactly {@link ParquetSchemas#base}, so files read the same as those written through {@link RowFileWriter}.
 */
final class BaseRowWriteSupport extends WriteSupport<BaseRow> {
    private enum Kind { INT, LONG, FLOAT, DOUBLE, BOOL, BINARY }

    private final MessageType schema;
    private final String[] names;
    private final Kind[] kinds;
    private RecordConsumer out;

    BaseRowWriteSupport(List<ColumnSpec> columns) {
        this.schema = ParquetSchemas.base(columns);
        this.names = new String[columns.size()];
        this.kinds = new Kind[columns.size()];
        for (int i = 0; i < columns.size(); i++) {
            ColumnSpec c = columns.get(i);
            names[i] = c.name();
            kinds[i] = switch (c.encoding()) {
                case INT16, INT32, DATE -> Kind.INT;
                case INT64, TIME, TIMESTAMP, TIMESTAMPTZ -> Kind.LONG;
                case FLOAT32 -> Kind.FLOAT;
                case FLOAT64 -> Kind.DOUBLE;
                case BOOL -> Kind.BOOL;
                case DECIMAL, NUMERIC_TEXT, TEXT, PG_TEXT, BYTES, UUID -> Kind.BINARY;
            };
        }
    }

    @Override
    public WriteContext init(Configuration configuration) {
        return new WriteContext(schema, Map.of());
    }

    @Override
    public WriteContext init(ParquetConfiguration configuration) {
        return new WriteContext(schema, Map.of());
    }

    @Override
    public String getName() {
        return "backstop";
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
        this.out = recordConsumer;
    }

    @Override
    public void write(BaseRow row) {
        if (row.columns() != names.length) {
            throw new IllegalArgumentException("row has " + row.columns() + " columns, file has " + names.length);
        }
        out.startMessage();
        for (int i = 0; i < names.length; i++) {
            if (!row.present[i]) {
                continue;
            }
            out.startField(names[i], i);
            long v = row.longs[i];
            switch (kinds[i]) {
                case INT -> out.addInteger((int) v);
                case LONG -> out.addLong(v);
                case FLOAT -> out.addFloat(Float.intBitsToFloat((int) v));
                case DOUBLE -> out.addDouble(Double.longBitsToDouble(v));
                case BOOL -> out.addBoolean(v != 0);
                case BINARY -> out.addBinary(row.binaries[i]);
            }
            out.endField(names[i], i);
        }
        out.endMessage();
    }
}
