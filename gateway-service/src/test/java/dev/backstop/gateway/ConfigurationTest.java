package dev.backstop.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dropwizard.configuration.ConfigurationException;
import io.dropwizard.configuration.FileConfigurationSourceProvider;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** config.yml parsing: the shared example loads; bad values fail naming the field; only `sidecar` is ignored. */
class ConfigurationTest {
    /** As the application reads it: ${VAR:-default} substituted (non-strict here: no env needed). */
    private static final io.dropwizard.configuration.ConfigurationSourceProvider SOURCE =
            new io.dropwizard.configuration.SubstitutingSourceProvider(new FileConfigurationSourceProvider(),
                    new io.dropwizard.configuration.EnvironmentVariableSubstitutor(false));
    /** The factory Dropwizard's `server` command uses (it refuses unknown keys). */
    private final io.dropwizard.configuration.ConfigurationFactory<GatewayConfiguration> factory =
            new io.dropwizard.configuration.DefaultConfigurationFactoryFactory<GatewayConfiguration>().create(
                    GatewayConfiguration.class, Validators.newValidator(), Jackson.newObjectMapper(), "dw");

    @Test
    void theRepositoryExampleLoads() throws Exception {
        GatewayConfiguration c = factory.build(SOURCE, "../config.yml");
        assertEquals("backstop", c.getDatabase().getStateSchema());
        assertEquals(2, c.getPrincipals().size());
        assertEquals(8, c.getGateway().getMaxConcurrentRequestsPerPrincipal());
        assertEquals("us-east-1", c.getSnapshots().getRegion());
    }

    @Test
    void badValuesNameTheirField(@TempDir Path dir) throws Exception {
        String yaml = Files.readString(Path.of("../config.yml"))
                .replace("stateSchema: backstop", "stateSchema: Bad-Schema")
                .replace("role: agent", "role: admin");
        Path f = dir.resolve("c.yml");
        Files.writeString(f, yaml);
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> factory.build(SOURCE, f.toString()));
        assertTrue(e.getMessage().contains("database.stateSchema must be a lower-case SQL identifier"), e.getMessage());
        assertTrue(e.getMessage().contains("principals[0].role must be agent or operator"), e.getMessage());
    }

    @Test
    void unknownKeysAreRefusedButTheSidecarSectionIsIgnored(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("c.yml");
        Files.writeString(f, Files.readString(Path.of("../config.yml")).replace("gateway:\n", "gateway:\n  maxResultRowz: 5\n"));
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> factory.build(SOURCE, f.toString()));
        assertTrue(e.getMessage().contains("maxResultRowz"), e.getMessage());
    }

    @Test
    void aBadPolicyFileRefusesStartUpNamingTheKey(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("p.json");
        Files.writeString(f, "{\"require_approval_for_risks\": [\"SCARY\"], \"no_such_key\": 1}");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> GatewayApplication.loadPolicy(f.toString()));
        assertTrue(e.getMessage().contains("no_such_key"), e.getMessage());
        assertTrue(e.getMessage().contains("require_approval_for_risks"), e.getMessage());
    }
}
