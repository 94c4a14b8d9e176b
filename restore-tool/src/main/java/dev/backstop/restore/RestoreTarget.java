package dev.backstop.restore;

import dev.backstop.snapshot.Lsn;

/**
 * The point in time a table is rebuilt at: every transaction whose commit LSN is at or before {@code lsn}.
 *
 * @param description how the operator asked for it (for the summary)
 * @param manifestKey a recovery point suggested by the audit record (used when it serves the LSN), or null
 */
record RestoreTarget(Lsn lsn, String description, String manifestKey) {
}
