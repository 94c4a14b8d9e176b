package dev.backstop.policy.classify;

import dev.backstop.policy.Classification;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A small bounded LRU, split into segments so concurrent gateway threads rarely contend. Values
 * are immutable, so a hit is returned as is.
 */
public final class ClassificationCache {
    private static final int SEGMENTS = 16;
    private final Segment[] segments = new Segment[SEGMENTS];

    public ClassificationCache(int maxEntries) {
        int per = Math.max(1, maxEntries / SEGMENTS);
        for (int i = 0; i < SEGMENTS; i++) {
            segments[i] = new Segment(per);
        }
    }

    private Segment segment(String key) {
        int h = key.hashCode();
        h ^= (h >>> 16);
        return segments[h & (SEGMENTS - 1)];
    }

    public Classification get(String key) {
        Segment s = segment(key);
        synchronized (s) {
            return s.get(key);
        }
    }

    public void put(String key, Classification value) {
        Segment s = segment(key);
        synchronized (s) {
            s.put(key, value);
        }
    }

    public int size() {
        int n = 0;
        for (Segment s : segments) {
            synchronized (s) {
                n += s.size();
            }
        }
        return n;
    }

    private static final class Segment extends LinkedHashMap<String, Classification> {
        private final int max;

        Segment(int max) {
            super(16, 0.75f, true);
            this.max = max;
        }

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Classification> eldest) {
            return size() > max;
        }
    }
}
