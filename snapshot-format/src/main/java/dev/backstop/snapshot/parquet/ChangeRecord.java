package dev.backstop.snapshot.parquet;

import dev.backstop.snapshot.Lsn;

import java.time.Instant;

/**
 * One row of a delta file. {@code before}/{@code after} hold values in table column order (see {@link ValueCodec} for
 * the Java types), or are null where the op has no such image.
 */
public record ChangeRecord(ChangeOp op, Lsn lsn, Instant commitTime, long xid, Object[] before, Object[] after) {
}
