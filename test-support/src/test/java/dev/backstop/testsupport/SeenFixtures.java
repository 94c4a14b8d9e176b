package dev.backstop.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.LinkedHashMap;
import java.util.Map;

/** Records what each self-test class received, so a later class can check it got something else. */
final class SeenFixtures {

    private static final Map<Class<?>, PgDatabase> DATABASES = new LinkedHashMap<>();

    private SeenFixtures() {
    }

    /** Records the class's database; fails if another class had the same one or another shared server. */
    static synchronized void recordDatabase(Class<?> testClass, PgDatabase db) {
        for (Map.Entry<Class<?>, PgDatabase> seen : DATABASES.entrySet()) {
            if (seen.getKey() != testClass) {
                assertNotEquals(seen.getValue().name(), db.name(), "database shared with " + seen.getKey());
                assertSame(seen.getValue().server(), db.server(), "one shared server per run");
            }
        }
        PgDatabase previous = DATABASES.putIfAbsent(testClass, db);
        if (previous != null) {
            assertEquals(previous.name(), db.name(), "one database per class");
        }
    }

    static synchronized int classesSeen() {
        return DATABASES.size();
    }
}
