package dev.backstop.snapshot;

import java.util.Objects;

/**
 * One column of a tracked table. {@code precision}/{@code scale} are set only for {@link ValueEncoding#DECIMAL}.
 */
public record ColumnSpec(String name, String pgType, ValueEncoding encoding, boolean nullable,
                         Integer precision, Integer scale) {
    public ColumnSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(pgType, "pgType");
        Objects.requireNonNull(encoding, "encoding");
        if (encoding == ValueEncoding.DECIMAL && (precision == null || scale == null)) {
            throw new IllegalArgumentException("decimal column " + name + " needs precision and scale");
        }
        if (encoding != ValueEncoding.DECIMAL && (precision != null || scale != null)) {
            throw new IllegalArgumentException("only decimal columns have precision/scale: " + name);
        }
    }

    public static ColumnSpec of(String name, String pgType, ValueEncoding encoding, boolean nullable) {
        return new ColumnSpec(name, pgType, encoding, nullable, null, null);
    }

    public static ColumnSpec decimal(String name, String pgType, int precision, int scale, boolean nullable) {
        return new ColumnSpec(name, pgType, ValueEncoding.DECIMAL, nullable, precision, scale);
    }
}
