package dev.backstop.gateway.db;

import dev.backstop.policy.TableRef;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The target database's foreign keys as a graph of tables, read from pg_constraint when a gated
 * statement needs it: which tables a TRUNCATE/DROP .. CASCADE reaches (those referencing the target,
 * transitively) and which tables foreign keys link in either direction (implicit recovery groups).
 */
public final class ForeignKeys {
    private static final String EDGES = "SELECT cn.nspname, c.relname, pn.nspname, p.relname FROM pg_constraint k"
            + " JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace cn ON cn.oid = c.relnamespace"
            + " JOIN pg_class p ON p.oid = k.confrelid JOIN pg_namespace pn ON pn.oid = p.relnamespace"
            + " WHERE k.contype = 'f'";

    /** referenced table -> tables whose foreign keys reference it */
    private final Map<TableRef, Set<TableRef>> referencedBy = new HashMap<>();
    /** table -> tables it references */
    private final Map<TableRef, Set<TableRef>> references = new HashMap<>();

    private ForeignKeys() {
    }

    static ForeignKeys read(Connection c) throws SQLException {
        ForeignKeys g = new ForeignKeys();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(EDGES)) {
            while (rs.next()) {
                TableRef child = new TableRef(rs.getString(1), rs.getString(2));
                TableRef parent = new TableRef(rs.getString(3), rs.getString(4));
                g.referencedBy.computeIfAbsent(parent, t -> new TreeSet<>()).add(child);
                g.references.computeIfAbsent(child, t -> new TreeSet<>()).add(parent);
            }
        }
        return g;
    }

    /** The tables and every table referencing them, directly or through others (what a CASCADE reaches). */
    public Set<TableRef> withReferencing(Collection<TableRef> tables) {
        return closure(tables, List.of(referencedBy));
    }

    /** The tables and every table linked to them by foreign keys in either direction. */
    public Set<TableRef> withLinked(Collection<TableRef> tables) {
        return closure(tables, List.of(referencedBy, references));
    }

    private static Set<TableRef> closure(Collection<TableRef> start, List<Map<TableRef, Set<TableRef>>> edges) {
        Set<TableRef> seen = new TreeSet<>(start);
        Deque<TableRef> todo = new ArrayDeque<>(start);
        while (!todo.isEmpty()) {
            TableRef t = todo.pop();
            for (Map<TableRef, Set<TableRef>> e : edges) {
                for (TableRef next : e.getOrDefault(t, Set.of())) {
                    if (seen.add(next)) {
                        todo.push(next);
                    }
                }
            }
        }
        return seen;
    }
}
