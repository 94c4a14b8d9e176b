package dev.backstop.restore;

import dev.backstop.snapshot.store.S3Settings;
import java.nio.file.Path;

/**
 * What the restore tool reads from config.yml: the {@code snapshots} section and the name of the
 * protected database (from {@code database.url}), which is part of every table's S3 path.
 *
 * @param source   the file it came from (for messages)
 * @param database database name from {@code database.url}, or null if the URL names none
 */
public record RestoreConfig(Path source, S3Settings snapshots, String database) {
}
