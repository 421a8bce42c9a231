#!/usr/bin/env bash
# Runs the API locally on http://127.0.0.1:5080 with the demo plan loaded.
# Unless ConnectionStrings__Strategy is already set, it starts (or reuses) a local PostgreSQL
# cluster in .data/pg, on port 55433 (PGPORT overrides). The API creates its schema itself.
# The database keeps running after Ctrl-C so the next start is instant and data survives;
# stop it with:  deploy/postgres.sh stop .data/pg
set -euo pipefail

cd "$(dirname "$(readlink -f "$0")")"
export ASPNETCORE_ENVIRONMENT=Development

if [[ -z "${ConnectionStrings__Strategy:-}" ]]; then
  # postgres.sh keeps the cluster in /var/tmp/strategy-pg-<hash> (with .data/pg a symlink to it)
  # when run as root and the postgres user cannot traverse this repo's parent directories.
  ConnectionStrings__Strategy=$(deploy/postgres.sh start .data/pg "${PGPORT:-55433}")
  export ConnectionStrings__Strategy
  echo "database: $ConnectionStrings__Strategy (data: $(readlink -f .data/pg))"
  echo "          stop it with: deploy/postgres.sh stop .data/pg"
  # The owner (postgres) applies the schema and sets up the service's least-privilege role (deploy/app-role.sql);
  # the API then runs as that role, which cannot change or delete stored events.
  dotnet run --project Strategy.Api -c Release --no-launch-profile -- migrate --app-role strategy_app --app-password strategy_app_local
  ConnectionStrings__Strategy="${ConnectionStrings__Strategy%;Username=*};Username=strategy_app;Password=strategy_app_local"
  export Database__ApplySchemaOnStartup=false
else
  echo "database: using ConnectionStrings__Strategy from the environment"
fi
export ConnectionStrings__Strategy

url=http://127.0.0.1:5080
if [[ -n "${Mail__Smtp__Host:-}" ]]; then
  mail="sent through $Mail__Smtp__Host:${Mail__Smtp__Port:-587} (Mail__Smtp__*)"
else
  mail="not sent: no mail server (set Mail__Smtp__Host, Mail__Smtp__Port...); notices wait in the outbox until one is set"
fi
cat <<MSG

Screens (sign in as any role and country; Development only): $url/
API reference (Scalar):  $url/scalar/v1
Mint a bearer token:     dotnet run --project Strategy.Api -- token --role reviewer --name "Reviewer"
Mail:                    $mail
Starting the API (Ctrl-C to stop; the database keeps running)...

MSG

# --no-launch-profile: launchSettings.json would otherwise override the URL and environment.
export ASPNETCORE_URLS=$url Seed__DemoPlan=true
exec dotnet run --project Strategy.Api -c Release --no-launch-profile "$@"
