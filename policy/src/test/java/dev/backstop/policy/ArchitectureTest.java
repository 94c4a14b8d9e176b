package dev.backstop.policy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** The policy module is a pure core: no JDBC, HTTP, S3 or Dropwizard. */
class ArchitectureTest {
    @Test
    void policyDependsOnNoInfrastructure() {
        JavaClasses classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.backstop.policy");
        noClasses().should().dependOnClassesThat().resideInAnyPackage(
                "java.sql..", "javax.sql..", "java.net.http..", "org.postgresql..", "software.amazon..",
                "io.dropwizard..", "jakarta.ws..", "javax.ws..", "org.eclipse.jetty..", "org.apache.http..",
                "okhttp3..", "com.zaxxer..")
                .check(classes);
    }
}
