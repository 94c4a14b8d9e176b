package dev.backstop.gateway.core;

/** Emergency pause as persisted. blocksAll: SAFE statements are blocked too. */
public record PauseStatus(boolean paused, boolean blocksAll, String reason, String changedBy, String changedAt) {
    public static final PauseStatus OFF = new PauseStatus(false, false, null, null, null);
}
