#!/usr/bin/env bash
# Checks the Prometheus alert rules and runs their unit tests with promtool.
# Run by the alerts module's Maven build at `verify`; skips (exit 0) when promtool is not installed,
# so a developer machine without Prometheus still builds. CI (.ci/run) installs the Debian package
# `prometheus`, which provides promtool.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v promtool >/dev/null 2>&1; then
  echo "promtool not found, skipping the alert-rule checks (install the 'prometheus' package to run them)"
  exit 0
fi

promtool check rules backstop.rules.yml
promtool test rules backstop.rules.test.yml
