package dev.backstop.gateway;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.core.Configuration;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.util.ArrayList;
import java.util.List;

/**
 * The gateway's validated configuration: the {@code database}, {@code policyFile}, {@code principals},
 * {@code gateway} and {@code snapshots} sections of config.yml (plus Dropwizard's {@code server} and
 * {@code logging}). The {@code sidecar} section belongs to the CDC sidecar and is the only key ignored;
 * any other unknown key is refused so that typos fail start-up.
 */
@JsonIgnoreProperties(value = {"sidecar"}, allowSetters = false)
public class GatewayConfiguration extends Configuration {
    @Valid
    @NotNull
    private DatabaseConfig database;

    @NotBlank
    private String policyFile;

    @Valid
    @NotEmpty
    private List<PrincipalConfig> principals = new ArrayList<>();

    @Valid
    @NotNull
    private GatewaySettings gateway = new GatewaySettings();

    @Valid
    private SnapshotStoreConfig snapshots = new SnapshotStoreConfig();

    @JsonProperty
    public DatabaseConfig getDatabase() {
        return database;
    }

    @JsonProperty
    public void setDatabase(DatabaseConfig database) {
        this.database = database;
    }

    @JsonProperty
    public String getPolicyFile() {
        return policyFile;
    }

    @JsonProperty
    public void setPolicyFile(String policyFile) {
        this.policyFile = policyFile;
    }

    @JsonProperty
    public List<PrincipalConfig> getPrincipals() {
        return principals;
    }

    @JsonProperty
    public void setPrincipals(List<PrincipalConfig> principals) {
        this.principals = principals;
    }

    @JsonProperty
    public GatewaySettings getGateway() {
        return gateway;
    }

    @JsonProperty
    public void setGateway(GatewaySettings gateway) {
        this.gateway = gateway;
    }

    @JsonProperty
    public SnapshotStoreConfig getSnapshots() {
        return snapshots;
    }

    @JsonProperty
    public void setSnapshots(SnapshotStoreConfig snapshots) {
        this.snapshots = snapshots;
    }
}
