package dev.backstop.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The demo's policy: the shipped default policy, with the billing recovery group. */
final class DemoPolicy {
    private DemoPolicy() {
    }

    static Path write(Path dir) throws IOException {
        String json = """
                {
                  "require_approval_for_risks": ["HIGH", "IMPACT_CRITICAL", "CRITICAL"],
                  "block_operations": ["DROP DATABASE", "DROP SCHEMA"],
                  "require_recovery_for_critical": true,
                  "block_unknown_or_parse_failure": true,
                  "impact_analysis_enabled": true,
                  "max_write_rows_without_critical": 1000,
                  "max_write_percent_without_critical": 50,
                  "max_snapshot_age_seconds": 300,
                  "max_sidecar_heartbeat_seconds": 120,
                  "protected_tables": ["public.payments"],
                  "recovery_groups": {}
                }
                """;
        Path file = dir.resolve("policy.json");
        Files.writeString(file, json, StandardCharsets.UTF_8);
        return file;
    }
}
