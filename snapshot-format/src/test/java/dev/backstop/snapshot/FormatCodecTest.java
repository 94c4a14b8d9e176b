package dev.backstop.snapshot;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

class FormatCodecTest {

    @Test
    void manifestRoundTripsAndMatchesGolden() throws IOException {
        byte[] bytes = FormatCodec.writeManifest(SampleDocuments.manifest());
        assertEquals(golden("manifest-v1.json"), new String(bytes, StandardCharsets.UTF_8));
        assertTrue(ChecksummedDocument.verify(bytes, FieldNames.MANIFEST_SHA256).isEmpty());
        Manifest parsed = FormatCodec.parseManifest(bytes);
        assertEquals(SampleDocuments.manifest().withChecksum(parsed.manifestSha256()), parsed);
        assertArrayEquals(bytes, FormatCodec.writeManifest(parsed));
    }

    @Test
    void heartbeatLatestQuarantineGroupMatchGoldenAndRoundTrip() throws IOException {
        byte[] hb = FormatCodec.writeHeartbeat(SampleDocuments.heartbeat());
        assertEquals(golden("heartbeat-v1.json"), new String(hb, StandardCharsets.UTF_8));
        assertEquals(SampleDocuments.heartbeat(), FormatCodec.parseHeartbeat(hb));

        byte[] latest = FormatCodec.writeLatest(SampleDocuments.latest());
        assertEquals(golden("latest-v1.json"), new String(latest, StandardCharsets.UTF_8));
        assertEquals(SampleDocuments.latest(), FormatCodec.parseLatest(latest));

        byte[] q = FormatCodec.writeQuarantine(SampleDocuments.quarantine());
        assertEquals(golden("quarantine-v1.json"), new String(q, StandardCharsets.UTF_8));
        assertEquals(SampleDocuments.quarantine(), FormatCodec.parseQuarantine(q));

        byte[] g = FormatCodec.writeGroup(SampleDocuments.group());
        assertEquals(golden("group-v1.json"), new String(g, StandardCharsets.UTF_8));
        assertTrue(ChecksummedDocument.verify(g, FieldNames.GROUP_SHA256).isEmpty());
        GroupRecoveryPoint parsed = FormatCodec.parseGroup(g);
        assertEquals(SampleDocuments.group().withChecksum(parsed.groupSha256()), parsed);
    }

    @Test
    void readersTolerateUnknownMembersAndChecksumCoversThem() {
        String json = new String(FormatCodec.writeManifest(SampleDocuments.manifest()), StandardCharsets.UTF_8);
        // A newer writer adds a member: the checksum must be recomputed by that writer and still verify here.
        String body = json.substring(0, json.indexOf(",\"manifest_sha256\"")) + ",\"future\":{\"x\":[1,2]}}";
        String withSha = body.substring(0, body.length() - 1) + ",\"manifest_sha256\":\""
                + Sha256.hex(body.getBytes(StandardCharsets.UTF_8)) + "\"}";
        byte[] raw = withSha.getBytes(StandardCharsets.UTF_8);
        assertTrue(ChecksummedDocument.verify(raw, FieldNames.MANIFEST_SHA256).isEmpty());
        assertEquals(SampleDocuments.manifest().files(), FormatCodec.parseManifest(raw).files());
    }

    @Test
    void tamperedManifestFailsChecksum() {
        String json = new String(FormatCodec.writeManifest(SampleDocuments.manifest()), StandardCharsets.UTF_8);
        byte[] tampered = json.replace("\"total_rows\":12", "\"total_rows\":13").getBytes(StandardCharsets.UTF_8);
        assertTrue(ChecksummedDocument.verify(tampered, FieldNames.MANIFEST_SHA256).orElseThrow().contains("mismatch"));
    }

    @Test
    void missingChecksumIsUnverified() {
        String json = new String(FormatCodec.writeManifest(SampleDocuments.manifest()), StandardCharsets.UTF_8);
        String noSha = json.substring(0, json.indexOf(",\"manifest_sha256\"")) + "}";
        assertTrue(ChecksummedDocument.verify(noSha.getBytes(StandardCharsets.UTF_8), FieldNames.MANIFEST_SHA256)
                .orElseThrow().contains("unverified"));
    }

    @Test
    void missingFileChecksumParsesAsUnverified() {
        String json = new String(FormatCodec.writeManifest(SampleDocuments.manifest()), StandardCharsets.UTF_8);
        String noFileSha = json.replace("\"sha256\":\"" + "a".repeat(64) + "\",", "");
        Manifest m = FormatCodec.parseManifest(noFileSha.getBytes(StandardCharsets.UTF_8));
        assertEquals(java.util.List.of("sha256"), m.files().get(0).missingMembers());
    }

    @Test
    void newerFormatVersionIsRefused() {
        String json = new String(FormatCodec.writeHeartbeat(SampleDocuments.heartbeat()), StandardCharsets.UTF_8)
                .replace("\"format_version\":1", "\"format_version\":2");
        FormatException e = assertThrows(FormatException.class,
                () -> FormatCodec.parseHeartbeat(json.getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("format_version 2"));
    }

    @Test
    void missingRequiredMemberIsNamed() {
        String json = new String(FormatCodec.writeHeartbeat(SampleDocuments.heartbeat()), StandardCharsets.UTF_8)
                .replace("\"durable_lsn\":\"0/16B3900\",", "");
        FormatException e = assertThrows(FormatException.class,
                () -> FormatCodec.parseHeartbeat(json.getBytes(StandardCharsets.UTF_8)));
        assertEquals("member 'durable_lsn' is missing", e.getMessage());
    }

    static String golden(String name) throws IOException {
        try (InputStream in = FormatCodecTest.class.getResourceAsStream("/golden/" + name)) {
            assertNotNull(in, "golden file " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
