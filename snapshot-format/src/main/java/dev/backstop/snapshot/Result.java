package dev.backstop.snapshot;

import java.util.List;

/** A value, or the problems that prevented it. Never both. */
public record Result<T>(T value, List<String> problems) {
    public Result {
        problems = List.copyOf(problems);
        if ((value == null) == problems.isEmpty()) {
            throw new IllegalArgumentException("a result has a value or problems, not both or neither");
        }
    }

    public static <T> Result<T> ok(T value) {
        return new Result<>(value, List.of());
    }

    public static <T> Result<T> failed(String problem) {
        return new Result<>(null, List.of(problem));
    }

    public static <T> Result<T> failed(List<String> problems) {
        return new Result<>(null, problems);
    }

    public boolean ok() {
        return value != null;
    }
}
