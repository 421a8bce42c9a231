#!/usr/bin/env bash
# Lists, per English .resx file of the repository and per member language (km, lo, my, th, vi, zh), the texts that are
# missing, extra or with other placeholders than the English (problems: exit status 1), and the drafts still waiting
# for a native speaker (allowed). Needs the .NET 10 SDK, as the rest of the repository does.
#
#   tools/translations/check.sh                 everything, each draft with its English text
#   tools/translations/check.sh --lang km       one language
#   tools/translations/check.sh --summary       counts and problems only
set -euo pipefail
here="$(dirname "$(readlink -f "$0")")"
repo="$(readlink -f "$here/../..")"
# The build's own output stays quiet; only the report is printed.
dotnet build "$here/check.csproj" -nologo -v quiet -o "$here/bin/out" >/dev/null
exec dotnet "$here/bin/out/translation-check.dll" --root "$repo" "$@"
