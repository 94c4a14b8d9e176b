package dev.backstop.gateway.core;

/**
 * One alert (design.md "Alerts"). SQL never appears in an alert, only its SHA-256.
 *
 * @param severity          info | warning | critical
 * @param event             stable event type, e.g. approval_requested, pause, agent_quarantined
 * @param recommendedAction what an operator should do next
 */
public record Alert(String severity, String event, String principal, String table, String sqlSha256,
                    String detail, String recommendedAction, String time) {
}
