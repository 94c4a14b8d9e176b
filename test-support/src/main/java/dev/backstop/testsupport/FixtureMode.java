package dev.backstop.testsupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses between the embedded fixtures (default) and Testcontainers ones.
 *
 * <p>Testcontainers is used only when {@code -Dbackstop.it.docker=true} AND a Docker engine answers.
 * The Testcontainers classes are referenced only from {@code dev.backstop.testsupport.docker}, which is
 * loaded reflectively here, so the library is not needed on the class path when the property is off.
 */
public enum FixtureMode {
    EMBEDDED,
    DOCKER;

    /** System property that asks for Testcontainers. */
    public static final String DOCKER_PROPERTY = "backstop.it.docker";

    private static final Logger LOG = LoggerFactory.getLogger(FixtureMode.class);
    private static final String DOCKER_FIXTURES = "dev.backstop.testsupport.docker.DockerFixtures";
    private static volatile FixtureMode resolved;

    /** The mode for this JVM, decided once. */
    public static FixtureMode current() {
        FixtureMode mode = resolved;
        if (mode == null) {
            synchronized (FixtureMode.class) {
                if (resolved == null) {
                    resolved = decide();
                }
                mode = resolved;
            }
        }
        return mode;
    }

    private static FixtureMode decide() {
        if (!Boolean.getBoolean(DOCKER_PROPERTY)) {
            return EMBEDDED;
        }
        try {
            if (dockerFixtures().dockerAvailable()) {
                LOG.info("backstop.it.docker=true and Docker is available: using Testcontainers fixtures");
                return DOCKER;
            }
            LOG.warn("backstop.it.docker=true but no Docker engine answered: using embedded fixtures");
        } catch (LinkageError | ReflectiveOperationException e) {
            LOG.warn("backstop.it.docker=true but Testcontainers is not on the class path ("
                    + e + "): using embedded fixtures");
        }
        return EMBEDDED;
    }

    PgServer startPostgres() {
        if (this == DOCKER) {
            return dockerFixturesUnchecked().startPostgres();
        }
        return EmbeddedPgServer.launch();
    }

    S3Server startS3() {
        if (this == DOCKER) {
            return dockerFixturesUnchecked().startS3();
        }
        return EmbeddedS3Server.launch();
    }

    /** What the docker package offers; implemented there so only it touches Testcontainers. */
    public interface ContainerFixtures {
        boolean dockerAvailable();

        PgServer startPostgres();

        S3Server startS3();
    }

    private static ContainerFixtures dockerFixtures() throws ReflectiveOperationException {
        Class<?> type = Class.forName(DOCKER_FIXTURES);
        return (ContainerFixtures) type.getDeclaredConstructor().newInstance();
    }

    private static ContainerFixtures dockerFixturesUnchecked() {
        try {
            return dockerFixtures();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot load " + DOCKER_FIXTURES, e);
        }
    }
}
