package dev.backstop.gateway.core;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes secrets from SQL text and messages before they reach the audit log, logs, alerts or API
 * responses: role passwords, passwords and keys in connection strings or URLs, and obvious
 * key/secret/token assignments. Errs on the side of scrubbing too much.
 */
public final class SecretScrubber {
    public static final String MASK = "'***'";

    private record Rule(Pattern pattern, String replacement) {
    }

    /** A single-quoted, E'' or dollar-quoted literal; group 2 is the dollar tag (back-referenced). */
    private static final String QUOTED = "(?:[Ee]?'(?:\\\\.|[^'\\\\]|'')*'|\\$([A-Za-z_0-9]*)\\$.*?\\$\\2\\$)";

    /** Names whose value is a secret in key=value or key: value text. */
    private static final String KEY_NAMES = "password|passwd|pwd|sslpassword|secret|api[_-]?key"
            + "|access[_-]?key(?:[_-]?id)?|secret[_-]?access[_-]?key|token|auth[_-]?token|private[_-]?key";

    private static final List<Rule> RULES = List.of(
            // CREATE/ALTER ROLE/USER ... [ENCRYPTED] PASSWORD '...'
            new Rule(Pattern.compile("(?is)(\\bPASSWORD\\s+)" + QUOTED), "$1" + MASK),
            // anything else after PASSWORD (unterminated or odd quoting): mask the next word
            new Rule(Pattern.compile("(?i)(\\bPASSWORD\\s+)(?!'\\*\\*\\*')(?!NULL\\b)\\S+"), "$1" + MASK),
            // key=value connection strings (dblink, postgres_fdw, COPY ... PROGRAM) and similar, also as
            // the end of a longer name (client_secret, db_password, x-api-key): no letter or digit before
            // A name with an empty value does not take the next key=value as its value (that one's value
            // would stay unmasked): the value may not itself start with such a name. ''value'' is a
            // libpq-quoted value inside an SQL literal (dblink('.. password=''x y'' ..')).
            new Rule(Pattern.compile("(?i)(?<![a-z0-9])(" + KEY_NAMES + ")(\\s*[=:]\\s*)(?![a-z0-9_-]*(?:"
                    + KEY_NAMES + ")\\s*[=:])(\"[^\"]*\"|''[^']*''|'(?:[^']|'')*'|[^\\s,;')\"]+)"),
                    "$1$2***"),
            // user:password@host in URLs
            new Rule(Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://[^:/@\\s']+):([^@\\s']+)@"), "$1:***@"),
            // AWS access key ids
            new Rule(Pattern.compile("\\bAKIA[0-9A-Z]{16}\\b"), "AKIA****************"));

    /**
     * Every rule's match contains one of these (lower case; "pass" covers password, passwd, sslpassword;
     * "key" every *key name) or, case-sensitively, "AKIA". A text with none of them cannot match any
     * rule, and skipping the patterns for it keeps scrubbing off the request path's profile.
     */
    private static final List<String> CLUES = List.of("pass", "pwd", "secret", "key", "token", "://");

    private SecretScrubber() {
    }

    public static String scrub(String text) {
        if (text == null || text.isEmpty() || !mayHoldSecret(text)) {
            return text;
        }
        String out = text;
        for (Rule rule : RULES) {
            Matcher m = rule.pattern().matcher(out);
            if (m.find()) {
                out = m.replaceAll(rule.replacement());
            }
        }
        return out;
    }

    /**
     * Whether a rule could match. The rules' (?i) is ASCII-only; lower-casing maps every ASCII capital, so
     * whatever a rule matches is found here in lower case (other characters can only add false alarms).
     */
    private static boolean mayHoldSecret(String text) {
        if (text.contains("AKIA")) {
            return true;
        }
        String lower = text.toLowerCase(Locale.ROOT);
        for (String clue : CLUES) {
            if (lower.contains(clue)) {
                return true;
            }
        }
        return false;
    }
}
