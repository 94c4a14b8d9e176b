package dev.backstop.gateway;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.ArrayList;
import java.util.List;

/** One caller of the gateway. Only the SHA-256 of its token is configured, never the token. */
public class PrincipalConfig {
    @NotBlank
    @Pattern(regexp = "[A-Za-z0-9._@-]{1,128}", message = "must be 1-128 characters of [A-Za-z0-9._@-]")
    private String name;

    @NotNull
    @Pattern(regexp = "agent|operator", message = "must be agent or operator")
    private String role;

    @NotEmpty
    private List<@Pattern(regexp = "[a-z]+:([a-z]+|\\*)", message = "must look like area:action or area:*") String> scopes =
            new ArrayList<>();

    @NotNull
    @Pattern(regexp = "[0-9a-f]{64}", message = "must be the lower-case hex SHA-256 of the token (64 characters)")
    private String tokenSha256;

    @JsonProperty public String getName() { return name; }
    @JsonProperty public void setName(String name) { this.name = name; }
    @JsonProperty public String getRole() { return role; }
    @JsonProperty public void setRole(String role) { this.role = role; }
    @JsonProperty public List<String> getScopes() { return scopes; }
    @JsonProperty public void setScopes(List<String> scopes) { this.scopes = scopes; }
    @JsonProperty public String getTokenSha256() { return tokenSha256; }
    @JsonProperty public void setTokenSha256(String tokenSha256) { this.tokenSha256 = tokenSha256; }
}
