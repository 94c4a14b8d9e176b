package dev.backstop.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.backstop.policy.Classification;
import dev.backstop.policy.Decision;
import dev.backstop.policy.Policy;
import dev.backstop.policy.StatementClassification;
import dev.backstop.policy.TableRef;

import java.util.List;

/** JSON shapes printed by classify (field names are a contract for CI linters; docs/policy.md). */
final class ResultJson {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private ResultJson() {
    }

    /** One --jsonl output line: {"id","outcome","risk","parse_ok","statements","reasons"}. */
    static ObjectNode line(JsonNode id, Classification c, Decision d) {
        ObjectNode o = F.objectNode();
        o.set("id", id == null ? F.nullNode() : id);
        o.put("outcome", d.outcome().wireName());
        o.put("risk", d.risk().name());
        o.put("parse_ok", c.parseOk());
        o.set("statements", statements(c));
        o.set("reasons", strings(d.reasons()));
        return o;
    }

    /** --json output: the line's fields plus the gate and the policy version. */
    static ObjectNode full(Classification c, Decision d, Policy p) {
        ObjectNode o = line(null, c, d);
        o.remove("id");
        o.put("recovery_gate_required", d.recoveryGateRequired());
        ArrayNode gate = F.arrayNode();
        for (TableRef t : d.gateTables()) {
            gate.add(t.qualifiedName());
        }
        o.set("gate_tables", gate);
        o.put("policy_version", p.version());
        return o;
    }

    static ObjectNode error(JsonNode id, long lineNumber, String code, String message) {
        ObjectNode o = F.objectNode();
        o.set("id", id == null ? F.nullNode() : id);
        o.put("line", lineNumber);
        ObjectNode e = o.putObject("error");
        e.put("code", code);
        e.put("message", message);
        return o;
    }

    private static ArrayNode statements(Classification c) {
        ArrayNode a = F.arrayNode();
        for (StatementClassification s : c.statements()) {
            ObjectNode o = a.addObject();
            o.put("index", s.index());
            o.put("start", s.start());
            o.put("end", s.end());
            o.put("operation", s.operation());
            ArrayNode tables = o.putArray("tables");
            for (TableRef t : s.tables()) {
                tables.add(t.qualifiedName());
            }
            o.put("has_where", s.hasWhere());
            o.put("parse_ok", s.parseOk());
            o.put("risk", s.risk().name());
            o.set("reasons", strings(s.reasons()));
            o.put("table_recoverable", s.tableRecoverable());
            o.put("cascade", s.cascade());
            o.set("set_columns", strings(s.setColumns()));
        }
        return a;
    }

    private static ArrayNode strings(List<String> l) {
        ArrayNode a = F.arrayNode();
        l.forEach(a::add);
        return a;
    }
}
