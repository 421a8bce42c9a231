#!/usr/bin/env bash
# Publishes the API as deploy/Dockerfile does and checks that the output carries no development settings: the
# development signing key is published with the source, so an image holding it would trust tokens anyone can sign.
# Exits non-zero and says which file when it finds one.
#
#   deploy/check-publish.sh
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
out=$(mktemp -d /tmp/strategy-publish.XXXXXX)
trap 'rm -rf "$out"' EXIT
dotnet publish Strategy.Api/Strategy.Api.csproj -c Release -o "$out" -p:UseAppHost=false -v q -nologo >/dev/null
found=$(find "$out" -iname 'appsettings.Development*.json')
key=$(grep -rl "strategy-development-signing-key" "$out" --include='*.json' || true)
if [[ -n "$found" || -n "$key" ]]; then
  echo "FAIL: the published output carries development settings: $found $key" >&2
  exit 1
fi
echo "PASS: no appsettings.Development.json and no development key in the published output ($(ls "$out" | wc -l) files)"
