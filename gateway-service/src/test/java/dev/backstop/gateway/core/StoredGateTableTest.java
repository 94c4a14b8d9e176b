package dev.backstop.gateway.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.backstop.policy.TableRef;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An approval's stored gate tables ("schema.table" text) read back as the tables the SQL names. */
class StoredGateTableTest {
    private static final TableRef DOTTED_SCHEMA = new TableRef("ops.v2", "orders");
    private static final TableRef DOTTED_TABLE = new TableRef("ops", "v2.orders");

    @Test
    void aNameWithADotIsTheTableTheStatementNames() {
        assertEquals(DOTTED_SCHEMA, ApprovalService.storedTable("ops.v2.orders",
                Map.of("ops.v2.orders", DOTTED_SCHEMA)));
        assertEquals(DOTTED_TABLE, ApprovalService.storedTable("ops.v2.orders",
                Map.of("ops.v2.orders", DOTTED_TABLE)));
    }

    @Test
    void aNameTheStatementNoLongerNamesIsSplitAtItsFirstDot() {
        assertEquals(new TableRef("public", "orders"), ApprovalService.storedTable("public.orders", Map.of()));
        assertEquals(DOTTED_TABLE, ApprovalService.storedTable("ops.v2.orders",
                Map.of("public.orders", new TableRef("public", "orders"))));
    }
}
