package dev.backstop.snapshot;

public enum FileKind {
    BASE("base"), DELTA("delta");

    private final String wireName;

    FileKind(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static FileKind fromWire(String s) {
        for (FileKind k : values()) {
            if (k.wireName.equals(s)) {
                return k;
            }
        }
        throw new FormatException("unknown file kind '" + s + "'");
    }
}
