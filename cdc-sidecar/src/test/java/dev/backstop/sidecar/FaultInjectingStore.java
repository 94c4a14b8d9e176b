package dev.backstop.sidecar;

import dev.backstop.snapshot.store.ObjectMeta;
import dev.backstop.snapshot.store.ObjectStore;
import dev.backstop.snapshot.store.ObjectStoreException;
import dev.backstop.snapshot.store.PreconditionFailedException;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real store, except that the writes a test chooses fail: before each write the {@link Fault} is asked, with the
 * operation and the key, and where it says so the write throws {@link ObjectStoreException} without reaching the
 * real store. Reads, lists, deletes and {@link #close()} go straight through.
 */
final class FaultInjectingStore implements ObjectStore {
    /** The writing operations of {@link ObjectStore}. */
    enum Write { PUT, PUT_FILE, PUT_IF_ABSENT, PUT_IF_MATCH }

    /** Decides, per call, whether a write fails; it may keep state of its own (it is asked once per write). */
    @FunctionalInterface
    interface Fault {
        boolean fails(Write operation, String key);
    }

    private final ObjectStore real;
    private final Fault fault;
    private final AtomicInteger failures = new AtomicInteger();

    FaultInjectingStore(ObjectStore real, Fault fault) {
        this.real = Objects.requireNonNull(real);
        this.fault = Objects.requireNonNull(fault);
    }

    /** How many writes have been made to fail so far. */
    int failures() {
        return failures.get();
    }

    private void beforeWrite(Write operation, String key) {
        if (fault.fails(operation, key)) {
            failures.incrementAndGet();
            throw new ObjectStoreException("injected fault: " + operation + " refused (" + key + ")");
        }
    }

    @Override
    public String put(String key, byte[] data) {
        beforeWrite(Write.PUT, key);
        return real.put(key, data);
    }

    @Override
    public String putFile(String key, Path file) {
        beforeWrite(Write.PUT_FILE, key);
        return real.putFile(key, file);
    }

    @Override
    public String putIfAbsent(String key, byte[] data) throws PreconditionFailedException {
        beforeWrite(Write.PUT_IF_ABSENT, key);
        return real.putIfAbsent(key, data);
    }

    @Override
    public String putIfMatch(String key, byte[] data, String expectedEtag) throws PreconditionFailedException {
        beforeWrite(Write.PUT_IF_MATCH, key);
        return real.putIfMatch(key, data, expectedEtag);
    }

    @Override
    public Optional<byte[]> get(String key) {
        return real.get(key);
    }

    @Override
    public boolean getToFile(String key, Path target) {
        return real.getToFile(key, target);
    }

    @Override
    public Optional<ObjectMeta> head(String key) {
        return real.head(key);
    }

    @Override
    public List<ObjectMeta> list(String prefix) {
        return real.list(prefix);
    }

    @Override
    public void delete(String key) {
        real.delete(key);
    }

    @Override
    public void close() {
        real.close();
    }
}
