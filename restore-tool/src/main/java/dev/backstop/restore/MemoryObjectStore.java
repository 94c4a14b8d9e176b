package dev.backstop.restore;

import dev.backstop.snapshot.Sha256;
import dev.backstop.snapshot.store.ObjectMeta;
import dev.backstop.snapshot.store.ObjectStore;
import dev.backstop.snapshot.store.PreconditionFailedException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * An object store held in memory, only for {@link CdsTraining}'s offline rehearsal of a restore (never used to
 * restore anything): ETag = SHA-256 of the bytes.
 */
final class MemoryObjectStore implements ObjectStore {
    private final Map<String, byte[]> objects = new ConcurrentSkipListMap<>();

    @Override
    public String put(String key, byte[] data) {
        objects.put(key, data.clone());
        return Sha256.hex(data);
    }

    @Override
    public String putFile(String key, Path file) {
        try {
            return put(key, Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized String putIfAbsent(String key, byte[] data) throws PreconditionFailedException {
        if (objects.containsKey(key)) {
            throw new PreconditionFailedException(key + " exists");
        }
        return put(key, data);
    }

    @Override
    public synchronized String putIfMatch(String key, byte[] data, String expectedEtag) throws PreconditionFailedException {
        byte[] current = objects.get(key);
        if (current == null || !Sha256.hex(current).equals(expectedEtag)) {
            throw new PreconditionFailedException(key + " changed");
        }
        return put(key, data);
    }

    @Override
    public Optional<byte[]> get(String key) {
        return Optional.ofNullable(objects.get(key)).map(byte[]::clone);
    }

    @Override
    public boolean getToFile(String key, Path target) {
        byte[] data = objects.get(key);
        if (data == null) {
            return false;
        }
        try {
            Files.write(target, data);
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Optional<ObjectMeta> head(String key) {
        return Optional.ofNullable(objects.get(key)).map(d -> new ObjectMeta(key, d.length, Sha256.hex(d)));
    }

    @Override
    public List<ObjectMeta> list(String prefix) {
        List<ObjectMeta> out = new ArrayList<>();
        objects.forEach((k, d) -> {
            if (k.startsWith(prefix)) {
                out.add(new ObjectMeta(k, d.length, Sha256.hex(d)));
            }
        });
        return out;
    }

    @Override
    public void delete(String key) {
        objects.remove(key);
    }
}
