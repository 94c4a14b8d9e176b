package dev.backstop.cli;

import dev.backstop.policy.Classification;
import dev.backstop.policy.Decision;
import dev.backstop.policy.StatementClassification;
import dev.backstop.policy.TableRef;

import java.util.stream.Collectors;

/** The default, human-readable classify output. */
final class HumanReport {
    private HumanReport() {
    }

    static String render(Classification c, Decision d) {
        StringBuilder sb = new StringBuilder();
        sb.append("decision: ").append(d.outcome().wireName()).append('\n');
        sb.append("risk:     ").append(d.risk()).append('\n');
        sb.append("reasons:  ").append(d.reasons().isEmpty() ? "-" : String.join(", ", d.reasons())).append('\n');
        if (d.recoveryGateRequired()) {
            sb.append("recovery gate: required for ")
                    .append(d.gateTables().stream().map(TableRef::qualifiedName).collect(Collectors.joining(", ")))
                    .append('\n');
        }
        sb.append("statements: ").append(c.statements().size()).append('\n');
        for (StatementClassification s : c.statements()) {
            sb.append("  [").append(s.index()).append("] chars ").append(s.start()).append('-').append(s.end())
                    .append("  ").append(s.operation()).append("  ").append(s.risk());
            if (!s.tables().isEmpty()) {
                sb.append("  tables=").append(s.tables().stream().map(TableRef::qualifiedName).collect(Collectors.joining(",")));
            }
            if (!s.reasons().isEmpty()) {
                sb.append("  reasons=").append(String.join(",", s.reasons()));
            }
            if (!s.setColumns().isEmpty()) {
                sb.append("  set_columns=").append(String.join(",", s.setColumns()));
            }
            if (!s.parseOk()) {
                sb.append("  (not understood)");
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
