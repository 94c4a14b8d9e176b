package dev.backstop.testsupport;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * On a test class using {@link EmbeddedPostgresExtension}: give this class its own PostgreSQL server
 * (started before the class, closed after it) instead of the shared one, so the class may stop and
 * restart it ({@link PgServer#stop()}, {@link PgServer#start()}) without disturbing other classes.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface DedicatedPostgres {
}
