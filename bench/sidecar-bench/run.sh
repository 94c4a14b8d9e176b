#!/usr/bin/env bash
# Sidecar benchmark (not CI): base snapshot vs pg_dump, sustained change rate, commit-to-durable latency.
# Needs pg_dump 15 (Debian bookworm's postgresql-client); installs it with apt-get if it is missing.
# Usage: bench/sidecar-bench/run.sh [rows (default 1000000)] [load seconds (default 30)] [base-only]
# Run it under `flock /tmp/backstop-bench.lock` when others share the machine; a figure taken at load average > 1.5
# is not a final one.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
if ! command -v pg_dump >/dev/null || ! pg_dump --version | grep -q ' 15\.'; then
  echo "installing Debian's postgresql-client (pg_dump 15)" >&2
  apt-get update -qq && apt-get install -y -qq postgresql-client-15 >/dev/null
fi
(cd "$ROOT" && mvn -B -q -pl cdc-sidecar -am install -DskipTests)
(cd "$HERE" && mvn -B -q package -DskipTests)
# Other builds on the machine skew the figures (the base copy, in one JVM, suffers most): record the load.
echo "load before: $(uptime)"
java -Xmx4g -Duser.timezone=UTC -Dlogback.configurationFile=sidecar-bench-logback.xml -cp "$HERE/target/backstop-sidecar-bench-0.1.0-SNAPSHOT.jar:$HERE/target/lib/*" \
  dev.backstop.bench.sidecar.SidecarBench "${1:-1000000}" "${2:-30}" ${3:-}
echo "load after: $(uptime)"
