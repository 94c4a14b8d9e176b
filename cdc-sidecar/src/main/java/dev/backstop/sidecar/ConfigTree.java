package dev.backstop.sidecar;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The whole config file as a tree, with ${VAR:-default} taken from the environment (as SidecarConfig reads it). */
final class ConfigTree {
    private ConfigTree() {
    }

    static JsonNode read(Path file) throws IOException {
        return new ObjectMapper(new YAMLFactory()).readTree(SidecarConfig.substitute(Files.readString(file), System::getenv));
    }
}
