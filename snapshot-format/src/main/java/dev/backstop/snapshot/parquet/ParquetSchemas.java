package dev.backstop.snapshot.parquet;

import dev.backstop.snapshot.ColumnSpec;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimeUnit;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

import java.util.ArrayList;
import java.util.List;

/** Parquet schemas of base and delta files (docs/snapshot-format.md section 8). */
public final class ParquetSchemas {
    public static final String OP = "_bs_op";
    public static final String LSN = "_bs_lsn";
    public static final String COMMIT_TIME = "_bs_commit_time";
    public static final String XID = "_bs_xid";
    public static final String BEFORE = "before";
    public static final String AFTER = "after";

    private ParquetSchemas() {
    }

    public static MessageType base(List<ColumnSpec> columns) {
        return new MessageType("backstop_base", columnTypes(columns));
    }

    public static MessageType delta(List<ColumnSpec> columns) {
        List<Type> fields = new ArrayList<>();
        fields.add(Types.required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(OP));
        fields.add(Types.required(PrimitiveTypeName.INT64).named(LSN));
        fields.add(Types.optional(PrimitiveTypeName.INT64)
                .as(LogicalTypeAnnotation.timestampType(true, TimeUnit.MICROS)).named(COMMIT_TIME));
        fields.add(Types.required(PrimitiveTypeName.INT64).named(XID));
        fields.add(Types.optionalGroup().addFields(columnTypes(columns).toArray(new Type[0])).named(BEFORE));
        fields.add(Types.optionalGroup().addFields(columnTypes(columns).toArray(new Type[0])).named(AFTER));
        return new MessageType("backstop_delta", fields);
    }

    static List<Type> columnTypes(List<ColumnSpec> columns) {
        List<Type> out = new ArrayList<>(columns.size());
        for (ColumnSpec c : columns) {
            out.add(columnType(c));
        }
        return out;
    }

    static Type columnType(ColumnSpec c) {
        return switch (c.encoding()) {
            case INT16 -> Types.optional(PrimitiveTypeName.INT32).as(LogicalTypeAnnotation.intType(16, true)).named(c.name());
            case INT32 -> Types.optional(PrimitiveTypeName.INT32).named(c.name());
            case INT64 -> Types.optional(PrimitiveTypeName.INT64).named(c.name());
            case DECIMAL -> Types.optional(PrimitiveTypeName.BINARY)
                    .as(LogicalTypeAnnotation.decimalType(c.scale(), c.precision())).named(c.name());
            case NUMERIC_TEXT, TEXT, PG_TEXT -> Types.optional(PrimitiveTypeName.BINARY)
                    .as(LogicalTypeAnnotation.stringType()).named(c.name());
            case FLOAT32 -> Types.optional(PrimitiveTypeName.FLOAT).named(c.name());
            case FLOAT64 -> Types.optional(PrimitiveTypeName.DOUBLE).named(c.name());
            case BOOL -> Types.optional(PrimitiveTypeName.BOOLEAN).named(c.name());
            case BYTES -> Types.optional(PrimitiveTypeName.BINARY).named(c.name());
            case UUID -> Types.optional(PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY).length(16)
                    .as(LogicalTypeAnnotation.uuidType()).named(c.name());
            case DATE -> Types.optional(PrimitiveTypeName.INT32).as(LogicalTypeAnnotation.dateType()).named(c.name());
            case TIME -> Types.optional(PrimitiveTypeName.INT64)
                    .as(LogicalTypeAnnotation.timeType(false, TimeUnit.MICROS)).named(c.name());
            case TIMESTAMP -> Types.optional(PrimitiveTypeName.INT64)
                    .as(LogicalTypeAnnotation.timestampType(false, TimeUnit.MICROS)).named(c.name());
            case TIMESTAMPTZ -> Types.optional(PrimitiveTypeName.INT64)
                    .as(LogicalTypeAnnotation.timestampType(true, TimeUnit.MICROS)).named(c.name());
        };
    }
}
