package dev.backstop.restore;

import dev.backstop.snapshot.store.S3Settings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What the restore tool reads from config.yml (documented in docs/configuration.md, "Restore tool").
 *
 * @param source              the file it came from (for messages)
 * @param snapshots           the {@code snapshots} section
 * @param database            database name from {@code database.url}, or null if the URL names none
 * @param jdbcUrl             {@code database.url} (null if absent: commands that need the database refuse)
 * @param dbUser              {@code restore.user}, else {@code database.user}
 * @param dbPassword          {@code restore.password}, else {@code database.password}
 * @param stateSchema         {@code database.stateSchema} (the gateway's audit lives there), default backstop
 * @param slotName            {@code sidecar.slotName}, default backstop
 * @param tablePatterns       {@code sidecar.tables}: the protected tables (schema.table, * wildcard)
 * @param recoveryGroups      {@code sidecar.recoveryGroups}
 * @param expectDeleteDenied  {@code snapshots.expectDeleteDenied}: doctor checks that S3 refuses deletes
 * @param heartbeatMaxAgeSeconds {@code restore.heartbeatMaxAgeSeconds}, default 120
 * @param snapshotMaxAgeSeconds  {@code restore.snapshotMaxAgeSeconds}, default 300
 * @param alertWebhookUrl     {@code restore.alertWebhookUrl}, else {@code gateway.alertWebhookUrl}; null = no alerts
 * @param sidecarUrl          the sidecar's HTTP endpoint, for {@code POST /flush}: {@code gateway.sidecarUrl}, else
 *                            {@code http://{sidecar.httpBindHost}:{sidecar.httpPort}} (a wildcard bind address as
 *                            127.0.0.1; defaults 127.0.0.1 and 8091 as the sidecar's); null = unknown
 * @param sidecarToken        {@code sidecar.httpToken}, else {@code gateway.sidecarToken}; null = unknown
 * @param sidecarTokenRef     how a printed curl writes the token: {@code $VAR} when the file takes it from a variable,
 *                            else a placeholder naming the key (the token itself is never printed)
 */
public record RestoreConfig(Path source, S3Settings snapshots, String database, String jdbcUrl, String dbUser,
                            String dbPassword, String stateSchema, String slotName, List<String> tablePatterns,
                            Map<String, List<String>> recoveryGroups, boolean expectDeleteDenied,
                            long heartbeatMaxAgeSeconds, long snapshotMaxAgeSeconds, String alertWebhookUrl,
                            String sidecarUrl, String sidecarToken, String sidecarTokenRef) {

    public RestoreConfig {
        tablePatterns = List.copyOf(tablePatterns);
        recoveryGroups = Map.copyOf(recoveryGroups);
    }
}
