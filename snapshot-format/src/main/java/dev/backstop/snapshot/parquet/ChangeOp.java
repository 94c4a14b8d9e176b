package dev.backstop.snapshot.parquet;

/** The {@code _bs_op} values of delta files. */
public enum ChangeOp {
    INSERT("insert"), UPDATE("update"), DELETE("delete"), TRUNCATE("truncate");

    private final String wireName;

    ChangeOp(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static ChangeOp fromWire(String s) {
        for (ChangeOp o : values()) {
            if (o.wireName.equals(s)) {
                return o;
            }
        }
        throw new dev.backstop.snapshot.FormatException("unknown change op '" + s + "'");
    }
}
