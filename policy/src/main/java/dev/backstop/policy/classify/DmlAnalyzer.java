package dev.backstop.policy.classify;

import dev.backstop.policy.Risk;
import dev.backstop.policy.TableRef;
import dev.backstop.policy.sql.Token;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.delete.Delete;
import net.sf.jsqlparser.statement.insert.ConflictActionType;
import net.sf.jsqlparser.statement.insert.Insert;
import net.sf.jsqlparser.statement.merge.Merge;
import net.sf.jsqlparser.statement.merge.MergeOperation;
import net.sf.jsqlparser.statement.merge.MergeUpdate;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.update.Update;
import net.sf.jsqlparser.statement.update.UpdateSet;
import net.sf.jsqlparser.util.TablesNamesFinder;

import java.util.List;

/** Classifies statements JSqlParser parsed: reads, INSERT, UPDATE, DELETE and MERGE. */
final class DmlAnalyzer {
    private DmlAnalyzer() {
    }

    /** Fills {@code r} from the AST; returns false if the AST does not match what the tokens say. */
    static boolean analyze(Statement st, String leadingWord, List<Token> ts, StatementResult r) {
        switch (leadingWord) {
            case "select", "with", "values", "table", "(" -> {
                if (!(st instanceof Select)) {
                    return false;
                }
                for (String t : new TablesNamesFinder<Void>().getTables(st)) {
                    r.tables.add(Names.parseDotted(t));
                }
                return true;
            }
            case "insert" -> {
                if (!(st instanceof Insert ins)) {
                    return false;
                }
                insert(ins, ts, r);
                return true;
            }
            case "update" -> {
                if (!(st instanceof Update up)) {
                    return false;
                }
                update(up, r);
                return true;
            }
            case "delete" -> {
                if (!(st instanceof Delete del)) {
                    return false;
                }
                delete(del, r);
                return true;
            }
            case "merge" -> {
                if (!(st instanceof Merge m)) {
                    return false;
                }
                merge(m, r);
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    private static TableRef ref(Table t) {
        return Names.table(t.getSchemaName(), t.getName());
    }

    private static void insert(Insert ins, List<Token> ts, StatementResult r) {
        r.operation = "INSERT";
        r.tables.add(ref(ins.getTable()));
        r.raise(Risk.LOW, "insert");
        if (ins.getConflictAction() != null
                && ins.getConflictAction().getConflictActionType() == ConflictActionType.DO_UPDATE) {
            addSetColumns(ins.getConflictAction().getUpdateSets(), r);
            int rows = valuesRows(ts);
            if (rows == 1) {
                r.raise(Risk.MEDIUM, "upsert");
            } else {
                r.raise(Risk.HIGH, rows == 0 ? "upsert_from_select" : "bulk_upsert");
            }
        }
    }

    /** Rows of a top-level VALUES list (0 if the INSERT has no VALUES, e.g. INSERT .. SELECT). */
    private static int valuesRows(List<Token> ts) {
        int depth = 0;
        int rows = 0;
        boolean inValues = false;
        for (Token t : ts) {
            if (t.isPunct("(")) {
                if (inValues && depth == 0) {
                    rows++;
                }
                depth++;
            } else if (t.isPunct(")")) {
                depth--;
            } else if (depth == 0 && t.isWord("values")) {
                inValues = true;
            } else if (depth == 0 && inValues && (t.isWord("on") || t.isWord("returning"))) {
                break;
            } else if (depth == 0 && (t.isWord("select") || t.isWord("with"))) {
                return 0;
            }
        }
        return rows;
    }

    private static void update(Update up, StatementResult r) {
        r.operation = "UPDATE";
        Table target = up.getTable();
        r.tables.add(ref(target));
        addSetColumns(up.getUpdateSets(), r);
        boolean others = up.getFromItem() != null || notEmpty(up.getJoins()) || notEmpty(up.getStartJoins());
        where(up.getWhere(), target, others, r);
    }

    private static void delete(Delete del, StatementResult r) {
        r.operation = "DELETE";
        Table target = del.getTable();
        r.tables.add(ref(target));
        boolean others = notEmpty(del.getUsingList()) || notEmpty(del.getUsingFromItemList())
                || notEmpty(del.getJoins()) || notEmpty(del.getTables());
        where(del.getWhere(), target, others, r);
    }

    private static void merge(Merge m, StatementResult r) {
        r.operation = "MERGE";
        r.tables.add(ref(m.getTable()));
        r.raise(Risk.HIGH, "merge");
        if (m.getOperations() != null) {
            for (MergeOperation op : m.getOperations()) {
                if (op instanceof MergeUpdate mu) {
                    addSetColumns(mu.getUpdateSets(), r);
                }
            }
        }
        if (m.getMergeUpdate() != null) {
            addSetColumns(m.getMergeUpdate().getUpdateSets(), r);
        }
    }

    private static void where(Expression where, Table target, boolean others, StatementResult r) {
        String name = Names.fold(target.getName());
        String alias = target.getAlias() == null ? null : Names.fold(target.getAlias().getName());
        switch (WhereAnalyzer.analyze(where, name, alias, others)) {
            case RESTRICTS -> {
                r.hasWhere = true;
                r.raise(Risk.MEDIUM, "where_restricted_write");
            }
            case NO_WHERE -> unrestricted(r, "no_where_clause");
            case TAUTOLOGY -> unrestricted(r, "tautological_where");
            case NOT_TARGET -> unrestricted(r, "where_not_restricting_target");
        }
    }

    private static void unrestricted(StatementResult r, String reason) {
        r.raise(Risk.CRITICAL, reason);
        r.tableRecoverable = true;
    }

    private static void addSetColumns(List<UpdateSet> sets, StatementResult r) {
        if (sets == null) {
            return;
        }
        for (UpdateSet set : sets) {
            if (set.getColumns() == null) {
                continue;
            }
            for (Column c : set.getColumns()) {
                r.setColumns.add(Names.fold(c.getColumnName()));
            }
        }
    }

    private static boolean notEmpty(List<?> l) {
        return l != null && !l.isEmpty();
    }
}
