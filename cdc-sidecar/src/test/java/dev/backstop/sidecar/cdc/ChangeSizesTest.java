package dev.backstop.sidecar.cdc;

import dev.backstop.snapshot.Lsn;
import dev.backstop.snapshot.parquet.Bytes;
import dev.backstop.snapshot.parquet.ChangeOp;
import dev.backstop.snapshot.parquet.ChangeRecord;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ChangeSizesTest {
    @Test
    void countsHeadersReferencesAndPayloads() {
        ChangeRecord insert = new ChangeRecord(ChangeOp.INSERT, Lsn.of(1), Instant.EPOCH, 1, null,
                new Object[] {1L, "abcd", Bytes.copyOf(new byte[10]), null});
        // record 64; image: array 24 + 4 references; Long 24, String 48 + 4, Bytes 24 + 24 + 10, NULL 0
        assertEquals(64 + 24 + 32 + 24 + 52 + 58, ChangeSizes.of(insert));
        ChangeRecord update = new ChangeRecord(ChangeOp.UPDATE, Lsn.of(1), Instant.EPOCH, 1,
                new Object[] {"x".repeat(1000)}, new Object[] {"y".repeat(1000)});
        assertEquals(64 + 2 * (24 + 8 + 48 + 1000), ChangeSizes.of(update));
    }

    @Test
    void sizesADebeziumEventByItsValuesWithoutEncodingThem() {
        Schema row = SchemaBuilder.struct().field("id", Schema.INT64_SCHEMA).field("tags",
                SchemaBuilder.array(Schema.STRING_SCHEMA).build()).field("body", Schema.OPTIONAL_STRING_SCHEMA).build();
        Schema envelope = SchemaBuilder.struct().field("after", row).field("op", Schema.STRING_SCHEMA).build();
        Struct after = new Struct(row).put("id", 7L).put("tags", List.of("a", "bc")).put("body", "z".repeat(500));
        Struct event = new Struct(envelope).put("after", after).put("op", "c");
        long rowSize = 64 + 8 + 24 + 8 + (24 + 8 + 49 + 8 + 50) + 8 + 548;
        assertEquals(64 + 8 + rowSize + 8 + 49, ChangeSizes.of(event));
    }
}
