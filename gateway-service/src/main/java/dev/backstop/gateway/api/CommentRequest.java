package dev.backstop.gateway.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/** Body of approve / deny / pause / resume / posture clear: {comment} or {reason}; both optional. */
public record CommentRequest(String comment, String reason, Boolean blockAll) {
    @JsonCreator
    public CommentRequest(@JsonProperty("comment") String comment,
                          @JsonProperty("reason") String reason,
                          @JsonProperty("block_all") Boolean blockAll) {
        this.comment = comment;
        this.reason = reason;
        this.blockAll = blockAll;
    }

    public String text() {
        return comment != null ? comment : reason;
    }
}
