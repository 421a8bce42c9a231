#!/usr/bin/env bash
# Lints the API's contract, docs/openapi.json: Spectral with the OWASP API Security ruleset (.spectral.yaml) and
# Redocly's recommended rules (redocly.yaml). Exits non-zero when either reports an error; warnings are listed.
#   tools/openapi-lint/lint.sh [document]
# Installs the two linters (pinned in package-lock.json) into node_modules here on first use.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"
doc=$(readlink -f "${1:-../../docs/openapi.json}")
[[ -d node_modules/@stoplight/spectral-cli && -d node_modules/@redocly/cli ]] || npm ci --no-audit --no-fund --loglevel=error
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
rc=0
echo "== Spectral (spectral:oas + OWASP API Security 2.0.1)"
npx --no-install spectral lint "$doc" --ruleset .spectral.yaml --fail-severity error --display-only-failures=false || rc=1
echo "== Redocly (recommended)"
npx --no-install redocly lint "$doc" --config redocly.yaml --format stylish 2>&1 | grep -v "Node.js\|nodejs.org\|^ *║\|╔\|╚" || true
npx --no-install redocly lint "$doc" --config redocly.yaml --format summary >/dev/null 2>&1 || rc=1
exit $rc
