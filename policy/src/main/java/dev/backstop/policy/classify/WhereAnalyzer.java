package dev.backstop.policy.classify;

import net.sf.jsqlparser.expression.BinaryExpression;
import net.sf.jsqlparser.expression.BooleanValue;
import net.sf.jsqlparser.expression.CastExpression;
import net.sf.jsqlparser.expression.DoubleValue;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.ExpressionVisitorAdapter;
import net.sf.jsqlparser.expression.LongValue;
import net.sf.jsqlparser.expression.NotExpression;
import net.sf.jsqlparser.expression.NullValue;
import net.sf.jsqlparser.expression.Parenthesis;
import net.sf.jsqlparser.expression.SignedExpression;
import net.sf.jsqlparser.expression.StringValue;
import net.sf.jsqlparser.expression.operators.arithmetic.Addition;
import net.sf.jsqlparser.expression.operators.arithmetic.Division;
import net.sf.jsqlparser.expression.operators.arithmetic.Multiplication;
import net.sf.jsqlparser.expression.operators.arithmetic.Subtraction;
import net.sf.jsqlparser.expression.operators.conditional.AndExpression;
import net.sf.jsqlparser.expression.operators.conditional.OrExpression;
import net.sf.jsqlparser.expression.operators.relational.Between;
import net.sf.jsqlparser.expression.operators.relational.EqualsTo;
import net.sf.jsqlparser.expression.operators.relational.ExpressionList;
import net.sf.jsqlparser.expression.operators.relational.GreaterThan;
import net.sf.jsqlparser.expression.operators.relational.GreaterThanEquals;
import net.sf.jsqlparser.expression.operators.relational.InExpression;
import net.sf.jsqlparser.expression.operators.relational.IsBooleanExpression;
import net.sf.jsqlparser.expression.operators.relational.IsDistinctExpression;
import net.sf.jsqlparser.expression.operators.relational.IsNullExpression;
import net.sf.jsqlparser.expression.operators.relational.LikeExpression;
import net.sf.jsqlparser.expression.operators.relational.MinorThan;
import net.sf.jsqlparser.expression.operators.relational.MinorThanEquals;
import net.sf.jsqlparser.expression.operators.relational.NotEqualsTo;
import net.sf.jsqlparser.expression.operators.relational.ParenthesedExpressionList;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.statement.select.Join;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.SelectItem;
import net.sf.jsqlparser.statement.select.SetOperationList;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * Decides whether an UPDATE/DELETE WHERE clause really restricts the target table: it must not be
 * always true (constant folding of literals, x = x, ... OR true) and it must reference the target
 * table (directly, or through a correlated subquery qualified with the target's name or alias).
 */
final class WhereAnalyzer {
    /** Why a WHERE does not count, or null if it restricts the target. */
    enum Verdict { RESTRICTS, NO_WHERE, TAUTOLOGY, NOT_TARGET }

    private WhereAnalyzer() {
    }

    static Verdict analyze(Expression where, String targetName, String targetAlias, boolean otherFromItems) {
        if (where == null) {
            return Verdict.NO_WHERE;
        }
        if (truth(where) == Boolean.TRUE) {
            return Verdict.TAUTOLOGY;
        }
        if (!referencesTarget(where, targetName, targetAlias, otherFromItems)) {
            return Verdict.NOT_TARGET;
        }
        return Verdict.RESTRICTS;
    }

    // ---- constant folding --------------------------------------------------------------------

    /** TRUE / FALSE if the expression is constant for every row, null if unknown or row-dependent. */
    static Boolean truth(Expression e) {
        e = unwrap(e);
        if (e instanceof BooleanValue b) {
            return b.getValue();
        }
        if (e instanceof Column c && c.getTable() == null) {
            String n = c.getColumnName();
            if ("true".equalsIgnoreCase(n)) {
                return Boolean.TRUE;
            }
            if ("false".equalsIgnoreCase(n)) {
                return Boolean.FALSE;
            }
            return null;
        }
        if (e instanceof NotExpression n) {
            Boolean b = truth(n.getExpression());
            return b == null ? null : !b;
        }
        if (e instanceof AndExpression a) {
            Boolean l = truth(a.getLeftExpression());
            Boolean r = truth(a.getRightExpression());
            if (l == Boolean.FALSE || r == Boolean.FALSE) {
                return Boolean.FALSE;
            }
            return (l == Boolean.TRUE && r == Boolean.TRUE) ? Boolean.TRUE : null;
        }
        if (e instanceof OrExpression o) {
            Boolean l = truth(o.getLeftExpression());
            Boolean r = truth(o.getRightExpression());
            if (l == Boolean.TRUE || r == Boolean.TRUE) {
                return Boolean.TRUE;
            }
            return (l == Boolean.FALSE && r == Boolean.FALSE) ? Boolean.FALSE : null;
        }
        if (e instanceof IsBooleanExpression ib) {
            Boolean b = truth(ib.getLeftExpression());
            if (b == null) {
                return null;
            }
            boolean is = b == ib.isTrue();
            return ib.isNot() != is;
        }
        if (e instanceof IsNullExpression in) {
            Object v = constant(in.getLeftExpression());
            if (v == null) {
                return null;
            }
            boolean isNull = v == NULL;
            return in.isNot() != isNull;
        }
        if (e instanceof IsDistinctExpression d) {
            if (sameColumn(d.getLeftExpression(), d.getRightExpression())) {
                return d.isNot(); // x IS NOT DISTINCT FROM x
            }
            return null;
        }
        if (e instanceof LikeExpression l && !l.isNot()) {
            Object p = constant(l.getRightExpression());
            if (p instanceof String s && !s.isEmpty() && s.chars().allMatch(ch -> ch == '%')) {
                return Boolean.TRUE; // x LIKE '%' matches every non-null value
            }
            return null;
        }
        if (e instanceof Between b) {
            Object v = constant(b.getLeftExpression());
            Object lo = constant(b.getBetweenExpressionStart());
            Object hi = constant(b.getBetweenExpressionEnd());
            Integer c1 = compare(lo, v);
            Integer c2 = compare(v, hi);
            if (c1 == null || c2 == null) {
                return null;
            }
            return b.isNot() != (c1 <= 0 && c2 <= 0);
        }
        if (e instanceof InExpression in && in.getRightExpression() instanceof ExpressionList<?> list) {
            Object v = constant(in.getLeftExpression());
            if (v == null || v == NULL) {
                return null;
            }
            for (Object item : list) {
                Integer c = compare(v, constant((Expression) item));
                if (c != null && c == 0) {
                    return !in.isNot();
                }
            }
            return null;
        }
        if (e instanceof EqualsTo || e instanceof NotEqualsTo || e instanceof GreaterThan
                || e instanceof GreaterThanEquals || e instanceof MinorThan || e instanceof MinorThanEquals) {
            BinaryExpression be = (BinaryExpression) e;
            if (sameColumn(be.getLeftExpression(), be.getRightExpression())) {
                return e instanceof EqualsTo || e instanceof GreaterThanEquals || e instanceof MinorThanEquals;
            }
            Integer c = compare(constant(be.getLeftExpression()), constant(be.getRightExpression()));
            if (c == null) {
                return null;
            }
            if (e instanceof EqualsTo) {
                return c == 0;
            }
            if (e instanceof NotEqualsTo) {
                return c != 0;
            }
            if (e instanceof GreaterThan) {
                return c > 0;
            }
            if (e instanceof GreaterThanEquals) {
                return c >= 0;
            }
            if (e instanceof MinorThan) {
                return c < 0;
            }
            return c <= 0;
        }
        Object v = constant(e);
        if (v instanceof Boolean b) {
            return b;
        }
        return null;
    }

    private static final Object NULL = new Object();

    private static Expression unwrap(Expression e) {
        while (true) {
            if (e instanceof Parenthesis p) {
                e = p.getExpression();
            } else if (e instanceof ParenthesedExpressionList<?> l && l.size() == 1) {
                e = l.get(0);
            } else {
                return e;
            }
        }
    }

    /** The constant value of an expression (BigDecimal, String, Boolean or NULL), else null. */
    static Object constant(Expression e) {
        e = unwrap(e);
        if (e instanceof LongValue l) {
            return new BigDecimal(l.getBigIntegerValue());
        }
        if (e instanceof DoubleValue d) {
            return BigDecimal.valueOf(d.getValue());
        }
        if (e instanceof StringValue s) {
            return s.getValue().replace("''", "'");
        }
        if (e instanceof NullValue) {
            return NULL;
        }
        if (e instanceof BooleanValue b) {
            return b.getValue();
        }
        if (e instanceof Column c && c.getTable() == null
                && ("true".equalsIgnoreCase(c.getColumnName()) || "false".equalsIgnoreCase(c.getColumnName()))) {
            return Boolean.parseBoolean(c.getColumnName().toLowerCase(java.util.Locale.ROOT));
        }
        if (e instanceof SignedExpression s && constant(s.getExpression()) instanceof BigDecimal d) {
            return s.getSign() == '-' ? d.negate() : d;
        }
        if (e instanceof CastExpression c) {
            Object v = constant(c.getLeftExpression());
            if (v instanceof String str) {
                try {
                    return new BigDecimal(str.trim());
                } catch (NumberFormatException ex) {
                    return v;
                }
            }
            return v;
        }
        if (e instanceof Addition || e instanceof Subtraction || e instanceof Multiplication || e instanceof Division) {
            BinaryExpression be = (BinaryExpression) e;
            if (constant(be.getLeftExpression()) instanceof BigDecimal l
                    && constant(be.getRightExpression()) instanceof BigDecimal r) {
                if (e instanceof Addition) {
                    return l.add(r);
                }
                if (e instanceof Subtraction) {
                    return l.subtract(r);
                }
                if (e instanceof Multiplication) {
                    return l.multiply(r);
                }
                return r.signum() == 0 ? null : l.divide(r, java.math.MathContext.DECIMAL64);
            }
            return null;
        }
        Boolean b = (e instanceof NotExpression || e instanceof EqualsTo || e instanceof NotEqualsTo
                || e instanceof GreaterThan || e instanceof MinorThan || e instanceof GreaterThanEquals
                || e instanceof MinorThanEquals || e instanceof AndExpression || e instanceof OrExpression)
                ? truth(e) : null;
        return b;
    }

    /** Compares two constants of the same kind; null if not comparable. */
    private static Integer compare(Object a, Object b) {
        if (a == null || b == null || a == NULL || b == NULL) {
            return null;
        }
        if (a instanceof BigDecimal x && b instanceof BigDecimal y) {
            return x.compareTo(y);
        }
        if (a instanceof BigDecimal x && b instanceof String y) {
            return parse(y) == null ? null : x.compareTo(parse(y));
        }
        if (a instanceof String x && b instanceof BigDecimal y) {
            return parse(x) == null ? null : parse(x).compareTo(y);
        }
        if (a instanceof String x && b instanceof String y) {
            return x.compareTo(y);
        }
        if (a instanceof Boolean x && b instanceof Boolean y) {
            return x.compareTo(y);
        }
        return null;
    }

    private static BigDecimal parse(String s) {
        try {
            return new BigDecimal(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static boolean sameColumn(Expression a, Expression b) {
        a = unwrap(a);
        b = unwrap(b);
        if (a instanceof Column x && b instanceof Column y) {
            return Objects.equals(Names.fold(x.getFullyQualifiedName()), Names.fold(y.getFullyQualifiedName()))
                    && !"true".equalsIgnoreCase(x.getColumnName()) && !"false".equalsIgnoreCase(x.getColumnName());
        }
        return false;
    }

    // ---- target references -------------------------------------------------------------------

    static boolean referencesTarget(Expression where, String targetName, String targetAlias, boolean otherFromItems) {
        TargetReferenceFinder f = new TargetReferenceFinder(targetName, targetAlias, otherFromItems);
        where.accept(f, null);
        return f.found;
    }

    /**
     * Collects column references: qualified with the target's alias (or its name when it has no
     * alias) at any depth, or unqualified at the top level when the statement has no other table.
     */
    private static final class TargetReferenceFinder extends ExpressionVisitorAdapter<Void> {
        private final String qualifier;
        private final String name;
        private final boolean otherFromItems;
        private int depth;
        boolean found;

        TargetReferenceFinder(String targetName, String targetAlias, boolean otherFromItems) {
            this.name = targetName;
            this.qualifier = targetAlias;
            this.otherFromItems = otherFromItems;
        }

        @Override
        public <S> Void visit(Column column, S context) {
            if (column.getTable() != null && column.getTable().getName() != null) {
                String q = Names.fold(column.getTable().getName());
                if (q.equals(qualifier) || (qualifier == null && q.equals(name))) {
                    found = true;
                }
            } else if (depth == 0 && !otherFromItems) {
                String n = column.getColumnName();
                if (!"true".equalsIgnoreCase(n) && !"false".equalsIgnoreCase(n)) {
                    found = true;
                }
            }
            return null;
        }

        @Override
        public <S> Void visit(ParenthesedSelect select, S context) {
            depth++;
            walk(select.getSelect());
            depth--;
            return null;
        }

        @Override
        public <S> Void visit(Select select, S context) {
            depth++;
            walk(select);
            depth--;
            return null;
        }

        private void walk(Select s) {
            if (s instanceof ParenthesedSelect ps) {
                walk(ps.getSelect());
            } else if (s instanceof SetOperationList sol) {
                for (Select child : sol.getSelects()) {
                    walk(child);
                }
            } else if (s instanceof PlainSelect ps) {
                if (ps.getSelectItems() != null) {
                    for (SelectItem<?> item : ps.getSelectItems()) {
                        if (item.getExpression() != null) {
                            item.getExpression().accept(this, null);
                        }
                    }
                }
                if (ps.getJoins() != null) {
                    for (Join j : ps.getJoins()) {
                        if (j.getOnExpressions() != null) {
                            for (Expression on : j.getOnExpressions()) {
                                on.accept(this, null);
                            }
                        }
                    }
                }
                if (ps.getWhere() != null) {
                    ps.getWhere().accept(this, null);
                }
                if (ps.getHaving() != null) {
                    ps.getHaving().accept(this, null);
                }
            }
        }
    }
}
