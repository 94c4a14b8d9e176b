package dev.backstop.sidecar.pg;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PgCatalogTest {
    @Test
    void globsMatchWholeQualifiedNames() {
        assertTrue(PgCatalog.toRegex("public.*").matcher("public.orders").matches());
        assertFalse(PgCatalog.toRegex("public.*").matcher("xpublic.orders").matches());
        assertTrue(PgCatalog.toRegex("sales.order*").matcher("sales.order_lines").matches());
        assertFalse(PgCatalog.toRegex("sales.order*").matcher("salesXorders").matches(), "the dot is literal");
    }

    @Test
    void recognisesTheRestoreToolsScratchTables() {
        assertTrue(PgCatalog.RESTORE_SCRATCH.matcher("orders__recovered_20261126_120000").matches());
        assertTrue(PgCatalog.RESTORE_SCRATCH.matcher("orders__drill_20261126_120000").matches());
        assertFalse(PgCatalog.RESTORE_SCRATCH.matcher("orders__recovered").matches());
        assertFalse(PgCatalog.RESTORE_SCRATCH.matcher("bench_recovered_1").matches(), "a chosen --into name");
        assertFalse(PgCatalog.RESTORE_SCRATCH.matcher("orders").matches());
    }
}
