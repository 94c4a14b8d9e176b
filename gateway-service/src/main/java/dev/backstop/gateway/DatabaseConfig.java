package dev.backstop.gateway;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

/** The target database and the gateway's own state schema inside it. */
public class DatabaseConfig {
    @NotBlank
    @Pattern(regexp = "jdbc:postgresql:.*", message = "must be a jdbc:postgresql: URL")
    private String url;

    @NotBlank
    private String user;

    @NotNull
    private String password = "";

    /** Optional separate role for the state schema (recommended: agents' SQL never runs as it). */
    private String stateUser = "";

    private String statePassword = "";

    /** Lower-case identifier only: it is used to build the state tables' qualified names. */
    @NotBlank
    @Pattern(regexp = "[a-z_][a-z0-9_]{0,62}", message = "must be a lower-case SQL identifier")
    private String stateSchema = "backstop";

    @Min(1)
    @Max(1000)
    private int maxPoolSize = 16;

    @Min(1)
    @Max(100)
    private int statePoolSize = 4;

    @JsonProperty public String getUrl() { return url; }
    @JsonProperty public void setUrl(String url) { this.url = url; }
    @JsonProperty public String getUser() { return user; }
    @JsonProperty public void setUser(String user) { this.user = user; }
    @JsonProperty public String getPassword() { return password; }
    @JsonProperty public void setPassword(String password) { this.password = password == null ? "" : password; }
    @JsonProperty public String getStateUser() { return stateUser; }
    @JsonProperty public void setStateUser(String stateUser) { this.stateUser = stateUser == null ? "" : stateUser; }
    @JsonProperty public String getStatePassword() { return statePassword; }
    @JsonProperty public void setStatePassword(String statePassword) { this.statePassword = statePassword == null ? "" : statePassword; }
    @JsonProperty public String getStateSchema() { return stateSchema; }
    @JsonProperty public void setStateSchema(String stateSchema) { this.stateSchema = stateSchema; }
    @JsonProperty public int getMaxPoolSize() { return maxPoolSize; }
    @JsonProperty public void setMaxPoolSize(int maxPoolSize) { this.maxPoolSize = maxPoolSize; }
    @JsonProperty public int getStatePoolSize() { return statePoolSize; }
    @JsonProperty public void setStatePoolSize(int statePoolSize) { this.statePoolSize = statePoolSize; }
}
