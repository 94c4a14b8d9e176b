package dev.backstop.gateway.core;

import dev.backstop.gateway.auth.TokenAuthenticator;

/** The audit hash chain's formulas, shared by the writer and the verifier. */
public final class AuditChain {
    /** prev_hash of the first row. */
    public static final String GENESIS = "0".repeat(64);

    private AuditChain() {
    }

    public static String rowHash(String prevHash, String record) {
        return TokenAuthenticator.sha256Hex(prevHash + "\n" + record);
    }

    public static String completionHash(String rowHash, String completion) {
        return TokenAuthenticator.sha256Hex(rowHash + "\n" + completion);
    }
}
