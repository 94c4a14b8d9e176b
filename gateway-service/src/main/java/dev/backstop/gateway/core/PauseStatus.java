package dev.backstop.gateway.core;

/** Emergency pause as persisted. blocksAll: SAFE statements are blocked too. */
@com.fasterxml.jackson.databind.annotation.JsonNaming(
        com.fasterxml.jackson.databind.PropertyNamingStrategies.SnakeCaseStrategy.class)
public record PauseStatus(boolean paused, boolean blocksAll, String reason, String changedBy, String changedAt) {
    public static final PauseStatus OFF = new PauseStatus(false, false, null, null, null);
}
