package dev.backstop.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backstop.gateway.auth.Principal;
import dev.backstop.gateway.auth.Role;
import dev.backstop.gateway.auth.TokenAuthenticator;
import dev.backstop.gateway.core.SecretScrubber;
import dev.backstop.gateway.core.SqlWords;
import dev.backstop.gateway.db.StatementSplitCheck;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Pure pieces: secret scrubbing, session-SET detection, driver split check, scopes, token matching. */
class UnitsTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "CREATE ROLE a LOGIN PASSWORD 'hunter2'|CREATE ROLE a LOGIN PASSWORD '***'",
        "alter user a with encrypted password 'it''s'|alter user a with encrypted password '***'",
        "ALTER ROLE a PASSWORD $$x$$|ALTER ROLE a PASSWORD '***'",
        "ALTER ROLE a PASSWORD 'unterminated|ALTER ROLE a PASSWORD '***'",
        "ALTER ROLE a PASSWORD NULL|ALTER ROLE a PASSWORD NULL",
        "SELECT dblink('host=db user=u password=s3cret dbname=x', 'SELECT 1')|SELECT dblink('host=db user=u password=*** dbname=x', 'SELECT 1')",
        "COPY t FROM 'postgresql://u:pa55@host/db'|COPY t FROM 'postgresql://u:***@host/db'",
        "SELECT 'AKIAABCDEFGHIJKLMNOP'|SELECT 'AKIA****************'",
        "SELECT * FROM t WHERE id = 1|SELECT * FROM t WHERE id = 1",
        // each rule's words in odd case (the scrubber skips texts holding none of them)
        "Alter Role a PaSsWoRd 'x'|Alter Role a PaSsWoRd '***'",
        "SELECT f('PWD=abc')|SELECT f('PWD=***')",
        "SELECT f('SslPassWord: abc')|SELECT f('SslPassWord: ***')",
        "SELECT f('Client_Secret=abc', 'db_password=def', 'X-Api-Key: ghi')|SELECT f('Client_Secret=***', 'db_password=***', 'X-Api-Key: ***')",
        "SELECT f('SECRET=abc')|SELECT f('SECRET=***')",
        "SELECT f('Api-Key=abc', 'ACCESS_KEY_ID=def', 'Private_Key=ghi')|SELECT f('Api-Key=***', 'ACCESS_KEY_ID=***', 'Private_Key=***')",
        "SELECT f('Auth_Token: abc')|SELECT f('Auth_Token: ***')",
        "SELECT 'HTTPS://u:pw@h/x'|SELECT 'HTTPS://u:***@h/x'",
        // an empty value before another key: that key's value is still masked
        "SELECT f('client_secret= password=''hunter2''')|SELECT f('client_secret= password=***')",
        "SELECT f('db_token= token=''hunter2''')|SELECT f('db_token= token=***')",
        "SELECT dblink('host=db password=''s3 cret'' dbname=x', 'SELECT 1')|SELECT dblink('host=db password=*** dbname=x', 'SELECT 1')",
    })
    void scrubsSecrets(String in, String out) {
        assertEquals(out, SecretScrubber.scrub(in));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "SET search_path TO x|true",
        "set  session statement_timeout = 0|true",
        "/* c */ -- x\\n SET role admin|true",
        "RESET ALL|true",
        "SET LOCAL search_path TO x|false",
        "SET TRANSACTION READ ONLY|false",
        "SET CONSTRAINTS ALL DEFERRED|false",
        "SELECT 1|false",
        "settings|false",
    })
    void detectsSessionLevelSet(String sql, boolean session) {
        assertEquals(session, SqlWords.isSessionSet(sql.replace("\\n", "\n")));
    }

    @Test
    void driverSplitCheck() {
        assertNull(StatementSplitCheck.problem("SELECT 'a;b', $$;$$, \"x;y\" /* ; */ -- ;\n"));
        assertTrue(StatementSplitCheck.problem("SELECT 1; SELECT 2").contains("2 statements"));
    }

    @Test
    void scopesMatchExactlyOrByAreaWildcard() {
        Principal p = new Principal("op", Role.OPERATOR, Set.of("approval:*", "metrics:read"));
        assertTrue(p.hasScope("approval:write"));
        assertTrue(p.hasScope("metrics:read"));
        assertFalse(p.hasScope("metrics:write"));
        assertFalse(p.hasScope("admin:pause"));
    }

    @Test
    void tokensMatchByDigestOnly() {
        PrincipalConfig a = principal("agent-1", "agent", "tok-a");
        PrincipalConfig b = principal("op-1", "operator", "tok-b");
        TokenAuthenticator auth = new TokenAuthenticator(List.of(a, b));
        assertEquals("agent-1", auth.authenticate("tok-a").orElseThrow().name());
        assertEquals(Role.OPERATOR, auth.authenticate("tok-b").orElseThrow().role());
        assertTrue(auth.authenticate("tok-c").isEmpty());
        assertTrue(auth.authenticate("").isEmpty());
        assertTrue(auth.authenticate(TokenAuthenticator.sha256Hex("tok-a")).isEmpty()); // the digest is not a token
    }

    static PrincipalConfig principal(String name, String role, String token) {
        PrincipalConfig p = new PrincipalConfig();
        p.setName(name);
        p.setRole(role);
        p.setScopes(List.of("query:execute"));
        p.setTokenSha256(TokenAuthenticator.sha256Hex(token));
        return p;
    }
}
