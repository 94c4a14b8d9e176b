package dev.backstop.gateway.auth;

import dev.backstop.gateway.PrincipalConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;

/**
 * Maps a presented token to a configured principal. Only SHA-256 digests are held; the presented
 * token is hashed and compared to every configured digest with {@link MessageDigest#isEqual}, without
 * stopping at the first match, so timing reveals neither the digest nor which principal matched.
 */
public final class TokenAuthenticator {
    private record Entry(byte[] digest, Principal principal) {
    }

    private final List<Entry> entries;

    public TokenAuthenticator(List<PrincipalConfig> principals) {
        HashSet<String> names = new HashSet<>();
        HashSet<String> digests = new HashSet<>();
        for (PrincipalConfig p : principals) {
            if (!names.add(p.getName())) {
                throw new IllegalArgumentException("principals: duplicate name " + p.getName());
            }
            if (!digests.add(p.getTokenSha256())) {
                throw new IllegalArgumentException("principals[" + p.getName() + "].tokenSha256: same token as another principal");
            }
        }
        this.entries = principals.stream()
                .map(p -> new Entry(HexFormat.of().parseHex(p.getTokenSha256()),
                        new Principal(p.getName(), Role.parse(p.getRole()), new HashSet<>(p.getScopes()))))
                .toList();
    }

    public Optional<Principal> authenticate(String token) {
        if (token == null || token.isEmpty()) {
            return Optional.empty();
        }
        byte[] presented = sha256(token.getBytes(StandardCharsets.UTF_8));
        Principal found = null;
        for (Entry e : entries) {
            if (MessageDigest.isEqual(presented, e.digest()) && found == null) {
                found = e.principal();
            }
        }
        return Optional.ofNullable(found);
    }

    public static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String sha256Hex(String s) {
        return HexFormat.of().formatHex(sha256(s.getBytes(StandardCharsets.UTF_8)));
    }
}
