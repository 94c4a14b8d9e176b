package dev.backstop.restore;

import dev.backstop.snapshot.Manifest;
import dev.backstop.snapshot.RecoveryPointCatalog;
import dev.backstop.snapshot.Result;
import dev.backstop.snapshot.TableRef;
import dev.backstop.snapshot.VerifiedManifest;
import java.util.List;

/**
 * A table's current recovery point as {@code list} and {@code show} report it: {@code latest.json},
 * the manifest it names (checksum checked against both), and whether that point is quarantined.
 * Data files are not checked here (that is {@code verify}).
 */
record TableSummary(TableRef table, Status status, Manifest latest, String manifestKey, int recoveryPoints,
                    List<String> problems) {

    enum Status {
        /** latest.json and its manifest verify, and the point is not quarantined. */
        OK("ok"),
        /** The latest point verifies but an operator quarantined it: it must not be used. */
        QUARANTINED("quarantined"),
        /** latest.json or its manifest is missing, malformed or fails its checksum. */
        INVALID("invalid");

        final String label;

        Status(String label) {
            this.label = label;
        }
    }

    static TableSummary of(RecoveryPointCatalog catalog, TableRef table) {
        int points = catalog.listRecoveryPoints(table).size();
        Result<VerifiedManifest> latest = catalog.latestManifest(table);
        if (!latest.ok()) {
            return new TableSummary(table, Status.INVALID, null, null, points, latest.problems());
        }
        Manifest m = latest.value().manifest();
        if (catalog.isQuarantined(table, m.recoveryPointId())) {
            return new TableSummary(table, Status.QUARANTINED, m, latest.value().key(), points,
                    List.of("recovery point " + m.recoveryPointId() + " is quarantined"));
        }
        return new TableSummary(table, Status.OK, m, latest.value().key(), points, List.of());
    }
}
