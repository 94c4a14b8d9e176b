package dev.backstop.sidecar.cdc;

import dev.backstop.snapshot.parquet.Bytes;
import dev.backstop.snapshot.parquet.ChangeRecord;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;

import java.nio.ByteBuffer;

/**
 * Approximate heap bytes of a buffered change: object headers, references and the payload of strings and byte
 * arrays. It bounds the change buffer (sidecar.maxBufferedBytes); it is an estimate, not a measurement, erring on
 * the high side for small values.
 */
final class ChangeSizes {
    private static final int RECORD = 64;
    private static final int REFERENCE = 8;
    private static final int BOXED = 24;
    private static final int STRING = 48;
    private static final int ARRAY = 24;

    private ChangeSizes() {
    }

    static long of(ChangeRecord c) {
        return RECORD + image(c.before()) + image(c.after());
    }

    /** A Debezium change event (its row images and envelope), without encoding any string. */
    static long of(Struct s) {
        long n = RECORD;
        for (Field f : s.schema().fields()) {
            n += REFERENCE + value(s.get(f));
        }
        return n;
    }

    private static long image(Object[] values) {
        if (values == null) {
            return 0;
        }
        long n = ARRAY + (long) REFERENCE * values.length;
        for (Object v : values) {
            n += value(v);
        }
        return n;
    }

    private static long value(Object v) {
        if (v == null) {
            return 0;
        }
        if (v instanceof String s) {
            return STRING + s.length(); // Latin-1 strings take a byte per character, others two: an estimate
        }
        if (v instanceof Bytes b) {
            return BOXED + ARRAY + b.length();
        }
        if (v instanceof byte[] b) {
            return ARRAY + b.length;
        }
        if (v instanceof ByteBuffer b) {
            return BOXED + ARRAY + b.remaining();
        }
        if (v instanceof Struct s) {
            return of(s);
        }
        if (v instanceof java.util.List<?> list) {
            long n = ARRAY;
            for (Object e : list) {
                n += REFERENCE + value(e);
            }
            return n;
        }
        return BOXED;
    }
}
