package dev.backstop.snapshot;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Verifies the trailing checksum member of a manifest or group document from its raw bytes (spec section 3), so that
 * unknown members written by a newer writer are covered too and nothing depends on re-serialising.
 */
public final class ChecksummedDocument {
    private ChecksummedDocument() {
    }

    /**
     * @return empty if the document ends with {@code ,"member":"<sha256 of the rest>"}, else the reason it does not
     */
    public static Optional<String> verify(byte[] raw, String member) {
        String text = new String(raw, StandardCharsets.UTF_8);
        String marker = ",\"" + member + "\":\"";
        int suffixLen = marker.length() + 64 + 2; // marker + hex + "}
        if (text.length() < suffixLen + 2 || !text.endsWith("\"}")) {
            return Optional.of(member + " is missing (document unverified)");
        }
        int markerAt = text.length() - suffixLen;
        if (!text.startsWith(marker, markerAt)) {
            return Optional.of(member + " is missing or not the last member (document unverified)");
        }
        String recorded = text.substring(markerAt + marker.length(), text.length() - 2);
        if (!Sha256.isHex64(recorded)) {
            return Optional.of(member + " is not a lower-case SHA-256 hex digest");
        }
        String body = text.substring(0, markerAt) + "}";
        String actual = Sha256.hex(body.getBytes(StandardCharsets.UTF_8));
        if (!Sha256.constantTimeEquals(actual, recorded)) {
            return Optional.of(member + " mismatch: document says " + recorded + ", content hashes to " + actual);
        }
        return Optional.empty();
    }

    public static String computedChecksumOf(byte[] raw) {
        return Sha256.hex(raw);
    }
}
