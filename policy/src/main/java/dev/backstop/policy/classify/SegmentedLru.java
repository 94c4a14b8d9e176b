package dev.backstop.policy.classify;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A small bounded LRU, split into segments so concurrent gateway threads rarely contend. Values
 * must be immutable: a hit is returned as is.
 */
public final class SegmentedLru<V> {
    private static final int SEGMENTS = 16;
    private final Segment<V>[] segments;

    @SuppressWarnings("unchecked")
    public SegmentedLru(int maxEntries) {
        int per = Math.max(1, maxEntries / SEGMENTS);
        segments = new Segment[SEGMENTS];
        for (int i = 0; i < SEGMENTS; i++) {
            segments[i] = new Segment<>(per);
        }
    }

    private Segment<V> segment(String key) {
        // The top bits of a multiplicative hash: each segment's HashMap indexes by the low bits, and
        // if both used the same bits every key of a segment would share 1/16 of its buckets.
        return segments[(key.hashCode() * 0x9E3779B9) >>> 28];
    }

    public V get(String key) {
        Segment<V> s = segment(key);
        synchronized (s) {
            return s.get(key);
        }
    }

    public void put(String key, V value) {
        Segment<V> s = segment(key);
        synchronized (s) {
            s.put(key, value);
        }
    }

    public int size() {
        int n = 0;
        for (Segment<V> s : segments) {
            synchronized (s) {
                n += s.size();
            }
        }
        return n;
    }

    private static final class Segment<V> extends LinkedHashMap<String, V> {
        private final int max;

        Segment(int max) {
            super(16, 0.75f, true);
            this.max = max;
        }

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
            return size() > max;
        }
    }
}
