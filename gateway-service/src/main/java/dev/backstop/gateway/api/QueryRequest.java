package dev.backstop.gateway.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/** POST /v1/query and POST /v1/classify body. Unknown fields are refused. */
public record QueryRequest(String sql, String reason, Integer maxRows, Integer waitSeconds) {
    @JsonCreator
    public QueryRequest(@JsonProperty("sql") String sql,
                        @JsonProperty("reason") String reason,
                        @JsonProperty("max_rows") Integer maxRows,
                        @JsonProperty("wait_seconds") Integer waitSeconds) {
        this.sql = sql;
        this.reason = reason;
        this.maxRows = maxRows;
        this.waitSeconds = waitSeconds;
    }
}
