package dev.backstop.bypass;

/**
 * Why the posture is degraded.
 *
 * @param code    stable: {@code bypass_detected} or {@code bypass_detector_unavailable}
 * @param role    the agent role concerned, or null
 * @param message for people
 */
public record PostureReason(String code, String role, String message) {
    public static final String BYPASS_DETECTED = "bypass_detected";
    public static final String DETECTOR_UNAVAILABLE = "bypass_detector_unavailable";
}
