package dev.backstop.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.backstop.policy.Classification;
import dev.backstop.policy.Decision;
import dev.backstop.policy.DecisionContext;
import dev.backstop.policy.Policy;
import dev.backstop.policy.PolicyEngine;
import dev.backstop.policy.PolicyException;
import dev.backstop.policy.PolicyLoader;
import dev.backstop.policy.SqlClassifier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "classify", mixinStandardHelpOptions = true,
        description = {"Classify SQL with a policy and print the decision; runs nothing.",
                "SQL comes from the argument, or from stdin when absent.",
                "With --jsonl, reads JSON Lines {\"id\":..., \"sql\":\"...\"} from stdin and writes one result line per input line."})
final class ClassifyCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where a running `./backstop demo` keeps its policy, relative to the working directory. */
    static final Path DEMO_POLICY = Path.of(".backstop-demo", "policy.json");

    @Option(names = "--policy", paramLabel = "FILE", description = "policy JSON file (default: $BACKSTOP_POLICY, "
            + "else .backstop-demo/policy.json when a demo folder is here, else the built-in defaults)")
    Path policyFile;

    @Option(names = "--json", description = "print JSON instead of text")
    boolean json;

    @Option(names = "--jsonl", description = "batch mode: JSON Lines in on stdin, JSON Lines out")
    boolean jsonl;

    @Parameters(arity = "0..1", paramLabel = "SQL", description = "the SQL text (default: read stdin)")
    String sql;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final InputStream in;
    private final PrintStream out;

    ClassifyCommand(InputStream in, PrintStream out) {
        this.in = in;
        this.out = out;
    }

    @Override
    public Integer call() throws IOException {
        if (jsonl && sql != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--jsonl reads stdin; do not pass SQL as an argument");
        }
        if (jsonl && json) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--jsonl already writes JSON; drop --json");
        }
        Policy policy;
        if (policyFile == null) {
            policyFile = defaultPolicyFile(System.getenv("BACKSTOP_POLICY"));
        }
        try {
            policy = policyFile == null ? Policy.defaults() : PolicyLoader.load(policyFile);
        } catch (PolicyException e) {
            spec.commandLine().getErr().println("backstop classify: bad policy file " + policyFile + ": " + e.getMessage());
            return BackstopCli.EXIT_USAGE;
        }
        SqlClassifier classifier = new SqlClassifier(policy.maxStatementBytes());
        if (jsonl) {
            batch(classifier, policy);
            return BackstopCli.EXIT_OK;
        }
        String text = sql != null ? sql : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        Classification c = classifier.classify(text);
        Decision d = PolicyEngine.decide(c, policy, DecisionContext.NONE);
        if (json) {
            out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(ResultJson.full(c, d, policy)));
        } else {
            out.print(HumanReport.render(c, d));
        }
        out.flush();
        return BackstopCli.EXIT_OK;
    }

    private void batch(SqlClassifier classifier, Policy policy) throws IOException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
        String line;
        long n = 0;
        while ((line = reader.readLine()) != null) {
            n++;
            w.write(JSON.writeValueAsString(batchLine(line, n, classifier, policy)));
            w.write('\n');
        }
        w.flush();
    }

    private static ObjectNode batchLine(String line, long n, SqlClassifier classifier, Policy policy) {
        JsonNode input;
        try {
            input = JSON.readTree(line);
        } catch (IOException e) {
            return ResultJson.error(null, n, "malformed_json", "line " + n + " is not valid JSON");
        }
        if (input == null || !input.isObject()) {
            return ResultJson.error(null, n, "malformed_input", "line " + n + " is not a JSON object");
        }
        JsonNode id = input.get("id");
        JsonNode sqlNode = input.get("sql");
        if (sqlNode == null || !sqlNode.isTextual()) {
            return ResultJson.error(id, n, "missing_sql", "line " + n + " has no string field \"sql\"");
        }
        Classification c = classifier.classify(sqlNode.asText());
        Decision d = PolicyEngine.decide(c, policy, DecisionContext.NONE);
        return ResultJson.line(id, c, d);
    }

    /** $BACKSTOP_POLICY, else the demo's policy when a demo folder is in the working directory, else none. */
    static Path defaultPolicyFile(String fromEnvironment) {
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return Path.of(fromEnvironment);
        }
        return java.nio.file.Files.isRegularFile(DEMO_POLICY) ? DEMO_POLICY : null;
    }
}
