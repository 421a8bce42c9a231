#!/usr/bin/env bash
# Runs the whole test suite against a throwaway PostgreSQL cluster, then prints one plain line
#   tests: N passed, M failed, K skipped
# (from the TRX files, because CI does not parse dotnet test's console summary).
# Exits non-zero if dotnet test fails, any test failed, or no test passed.
#
#   ./test.sh                               all tests
#   ./test.sh --filter "FullyQualifiedName~Domain"   extra args go to dotnet test
#
# Environment: TEST_PGPORT  first port to try (default 55432; the next free one is used)
#              TEST_RESULTS_DIR  keep the TRX files there (default: a temp dir, removed at exit)
set -euo pipefail

cd "$(dirname "$(readlink -f "$0")")"
repo=$PWD

# The browser tests drive Debian's chromium, with fonts for the members' scripts (deploy/browser.sh).
deploy/browser.sh install
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

# Under /tmp (world-traversable) so the postgres user can reach it even when the repo isn't.
pgdir=$(mktemp -d /tmp/strategy-test-pg.XXXXXX)
if [[ -n "${TEST_RESULTS_DIR:-}" ]]; then
  mkdir -p "$TEST_RESULTS_DIR"
  results=$(readlink -f "$TEST_RESULTS_DIR")
  rm -f "$results"/*.trx        # stale files from an earlier run would be counted too
  keep_results=1
else
  results=$(mktemp -d /tmp/strategy-test-results.XXXXXX)
  keep_results=0
fi

cleanup() {
  "$repo/deploy/postgres.sh" stop "$pgdir" >/dev/null 2>&1 || true
  rm -rf "$pgdir"
  if [[ $keep_results -eq 0 ]]; then rm -rf "$results"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM   # run the EXIT trap on Ctrl-C too

# First port from TEST_PGPORT up that nothing listens on (a dev cluster may hold 55433 etc.).
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=${TEST_PGPORT:-55432}
while port_in_use "$port"; do port=$((port + 1)); done

ConnectionStrings__Strategy=$("$repo/deploy/postgres.sh" start "$pgdir" "$port")
export ConnectionStrings__Strategy
echo "test database: $ConnectionStrings__Strategy"

# LogFilePrefix, not LogFileName=results.trx: a fixed name is overwritten when the solution has
# several test projects (seen with two), losing their counts; the prefix gives one file each.
rc=0
# A test that hangs (a lost wake-up, a lock never released) fails the run after 5 minutes instead of holding CI
# until its own limit; no dump is taken (none of the dump tools ships with the SDK).
dotnet test Strategy.sln --logger "trx;LogFilePrefix=results" --results-directory "$results" \
  --blame-hang-timeout 5m --blame-hang-dump-type none "$@" || rc=$?

# Sum <Counters> over every TRX file (one per test project). xunit's skipped tests are
# counted in total but not in executed, so skipped = total - executed.
attr() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$2"; }
passed=0 failed=0 skipped=0
while IFS= read -r -d '' trx; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1 || true)
  [[ -n "$counters" ]] || { echo "warning: no <Counters> in $trx" >&2; continue; }
  total=$(attr total "$counters"); executed=$(attr executed "$counters")
  p=$(attr passed "$counters"); f=$(attr failed "$counters")
  e=$(attr error "$counters"); t=$(attr timeout "$counters"); a=$(attr aborted "$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0} + ${e:-0} + ${t:-0} + ${a:-0}))
  skipped=$((skipped + ${total:-0} - ${executed:-0}))
done < <(find "$results" -name '*.trx' -print0)

echo "tests: $passed passed, $failed failed, $skipped skipped"
if [[ $keep_results -eq 1 ]]; then echo "TRX files: $results"; fi

if [[ $rc -ne 0 ]]; then exit "$rc"; fi
if [[ $failed -gt 0 || $passed -eq 0 ]]; then exit 1; fi
