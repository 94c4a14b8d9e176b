package dev.backstop.bypass;

/** Client-chosen strings (application_name, role names) go into log lines: one line each, bounded. */
final class LogSafe {
    static final int MAX = 200;

    private LogSafe() {
    }

    static String text(String s) {
        if (s == null) {
            return null;
        }
        StringBuilder b = new StringBuilder(Math.min(s.length(), MAX) + 2);
        for (int i = 0; i < s.length() && b.length() < MAX; i++) {
            char ch = s.charAt(i);
            b.append(Character.isISOControl(ch) ? '?' : ch);
        }
        if (s.length() > MAX) {
            b.append('…');
        }
        return '"' + b.toString() + '"';
    }
}
