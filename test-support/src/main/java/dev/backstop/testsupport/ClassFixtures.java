package dev.backstop.testsupport;

import java.lang.annotation.Annotation;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ExtensionContext.Store;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The store bookkeeping both extensions share: one shared server per test run (root store, closed
 * when the run ends), or one per class when the class asks for a dedicated one; and one per-class
 * resource (database, bucket) created lazily so constructor injection works with any lifecycle.
 */
final class ClassFixtures<S extends AutoCloseable, R> {

    private static final String SHARED_SERVER = "shared-server";
    private static final String DEDICATED_SERVER = "dedicated-server";
    private static final String RESOURCE = "class-resource";
    private static final String OWNER = "class-resource-owner";

    private final Namespace namespace;
    private final Class<S> serverType;
    private final Class<? extends Annotation> dedicatedAnnotation;
    private final Supplier<S> serverFactory;

    ClassFixtures(Class<?> extension, Class<S> serverType, Class<? extends Annotation> dedicatedAnnotation,
            Supplier<S> serverFactory) {
        this.namespace = Namespace.create(extension);
        this.serverType = serverType;
        this.dedicatedAnnotation = dedicatedAnnotation;
        this.serverFactory = serverFactory;
    }

    /** The class-level context (a method context's parent chain ends at its class). */
    static ExtensionContext classContext(ExtensionContext context) {
        ExtensionContext c = context;
        while (c.getTestMethod().isPresent() && c.getParent().isPresent()) {
            c = c.getParent().get();
        }
        return c;
    }

    /** This class's resource, creating it (and the server) on first use. */
    synchronized R resource(ExtensionContext anyContext, Class<R> resourceType, Function<S, R> create) {
        ExtensionContext classContext = classContext(anyContext);
        Store store = classContext.getStore(namespace);
        R existing = store.get(RESOURCE, resourceType); // also finds an enclosing class's (@Nested)
        if (existing != null) {
            return existing;
        }
        S server = server(classContext);
        R created = create.apply(server);
        store.put(RESOURCE, created);
        store.put(OWNER, classContext.getUniqueId());
        return created;
    }

    /** The resource, if this very class context created it (not an enclosing class). */
    R ownedResource(ExtensionContext classContext, Class<R> resourceType) {
        Store store = classContext.getStore(namespace);
        if (!classContext.getUniqueId().equals(store.get(OWNER, String.class))) {
            return null;
        }
        return store.get(RESOURCE, resourceType);
    }

    /** The server this class uses: its dedicated one, or the run's shared one. */
    S server(ExtensionContext anyContext) {
        ExtensionContext classContext = classContext(anyContext);
        boolean dedicated = classContext.getTestClass()
                .map(c -> AnnotationSupport.isAnnotated(c, dedicatedAnnotation))
                .orElse(false);
        Store store = dedicated ? classContext.getStore(namespace) : classContext.getRoot().getStore(namespace);
        String key = dedicated ? DEDICATED_SERVER : SHARED_SERVER;
        // AutoCloseable values are closed by JUnit when their context ends (the run, or the class).
        return store.getOrComputeIfAbsent(key, k -> serverFactory.get(), serverType);
    }
}
