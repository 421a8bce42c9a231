#!/usr/bin/env bash
# Renders the demo plan's progress and SDG-alignment reports to HTML and PNG in docs/, as the README shows them, and
# the progress report again in the members' languages with a script of their own (docs/progress-report.km.png, .lo,
# .my, .th, .zh; Vietnamese is Latin).
#
#   docs/render-reports.sh
#
# Starts its own PostgreSQL and a Release build of the API with the demo plan, plays an illustrative history onto
# it (docs/demo-activity.py), has the service generate both reports through its background jobs, then screenshots
# each HTML page in headless Chromium (Debian's `chromium` and the fonts for Khmer, Lao, Burmese, Thai and Chinese,
# installed when missing: without them a page shows empty boxes for the letters). Stops all it started.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."

deploy/browser.sh install

pgdir=$(mktemp -d /tmp/strategy-docs-pg.XXXXXX)
work=$(mktemp -d /tmp/strategy-docs.XXXXXX)
api_pid=
cleanup() {
  [[ -n "$api_pid" ]] && kill "$api_pid" 2>/dev/null && wait "$api_pid" 2>/dev/null || true
  deploy/postgres.sh stop "$pgdir" >/dev/null 2>&1 || true
  rm -rf "$pgdir" "$work"
}
trap cleanup EXIT

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pgport=56200; while port_in_use $pgport; do pgport=$((pgport + 1)); done
apiport=5280; while port_in_use $apiport; do apiport=$((apiport + 1)); done
base="http://127.0.0.1:$apiport"

cs=$(deploy/postgres.sh start "$pgdir" "$pgport")
dotnet build Strategy.Api -c Release -v q -nologo >/dev/null
dll=Strategy.Api/bin/Release/net10.0/Strategy.Api.dll
export ASPNETCORE_ENVIRONMENT=Development ConnectionStrings__Strategy="$cs" Seed__DemoPlan=true Logging__LogLevel__Default=Warning
dotnet "$dll" --urls "$base" >"$work/api.log" 2>&1 &
api_pid=$!
for _ in $(seq 120); do curl -sf -o /dev/null "$base/health/ready" && break; sleep 0.5; done

python3 docs/demo-activity.py "$base" dotnet "$dll" token
sec=$(dotnet "$dll" token --role secretariat --name "LMEC Secretariat")

chrome() {
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --hide-scrollbars --user-data-dir="$work/chrome" "$@" 2>/dev/null
}
# $1 report id, $2 file name without extension, $3 language: the HTML, the top of the page as a person sees it first,
# and the whole page printed on A4.
render() {
  curl -sf -H "Authorization: Bearer $sec" "$base/api/reports/$1/content?format=html&lang=$3" > "docs/$2.html"
  chrome --window-size=1000,1600 --screenshot="docs/$2.png" "file://$PWD/docs/$2.html"
  chrome --print-to-pdf="$work/$2.pdf" --no-pdf-header-footer "file://$PWD/docs/$2.html"
  echo "docs/$2.html, docs/$2.png ($(python3 -c "import re,sys; print(len(re.findall(rb'/Type\s*/Page[^s]', open('$work/$2.pdf','rb').read())))") A4 pages)"
}
for kind in progress sdg-alignment; do
  id=$(curl -sf -X POST -H "Authorization: Bearer $sec" -H 'Content-Type: application/json' \
       -d "{\"kind\":\"$kind\",\"plan\":\"LMEC-2023-2027\"}" "$base/api/reports" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  status=$(curl -sf -H "Authorization: Bearer $sec" "$base/api/reports/$id?wait=60" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
  [[ $status == succeeded ]] || { echo "$kind report $status" >&2; exit 1; }
  render "$id" "$kind-report" en
  if [[ $kind == progress ]]; then
    for lang in km lo my th zh; do render "$id" "$kind-report.$lang" "$lang"; done
  fi
done
