package dev.backstop.alerts;

import java.util.Locale;

/** How urgently an operator should look at an alert. The wire form is the lower-case name. */
public enum Severity {
    /** For the record; nothing to do. */
    INFO,
    /** Needs attention during working hours. */
    WARNING,
    /** Needs attention now: protection is reduced or data is at risk. */
    CRITICAL;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
