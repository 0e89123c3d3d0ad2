#!/usr/bin/env bash
# Runs a command with MONGO_URL and REDIS_URL pointing at reachable servers (see services.sh),
# then stops whatever it started.
set -u
cd "$(dirname "$0")/.."
source scripts/services.sh
trap services_down EXIT
services_up || exit 1
"$@"
