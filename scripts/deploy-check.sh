#!/usr/bin/env bash
# The production deployment of docker-compose.yml, checked without Docker.
#
#   npm run test:deploy            # builds dist/, then runs this script
#   bash scripts/deploy-check.sh   # after `npm run build && npm run build:web`
#
# What it proves:
#   - The production dependencies alone are enough to run the server: package.json and
#     package-lock.json are installed in a folder of their own with the Dockerfile's `prod-deps`
#     command (`npm install --omit=dev --ignore-scripts`), and dist/ is copied beside them as the
#     `runtime` stage does. A runtime import that only a devDependency (or nothing) provides makes
#     the instances crash at start, and the check fails.
#   - Two instances started from that folder with the image's and compose's environment
#     (NODE_ENV=production, TRUST_PROXY=true, one JWT secret, MALLOC_MMAP_THRESHOLD_, NODE_OPTIONS),
#     behind nginx running deploy/nginx.conf with only its addresses and file paths substituted,
#     serve GraphQL over HTTP and WebSocket through the proxy, refuse introspection, serve no landing
#     page, serve the web client at /app/ (gzipped, cached), keep /metrics private, deliver a subscription event caused on the other instance, and
#     hand a subscription over to the surviving instance when one is stopped with SIGTERM
#     (test/deploy/topology.test.ts performs these checks).
#
# What it cannot prove (there is no Docker engine here):
#   - The image is not built: its stages are reproduced with the same npm commands. The base image,
#     `USER node`, HEALTHCHECK, compose's health checks, restart policies, `init: true` and Docker's
#     DNS are not exercised.
#   - nginx is Debian's package, not nginx:1.27-alpine; MongoDB is the stand-in, FerretDB 2.5 (or whatever MONGO_URL
#     names), not mongo:7 as a replica set.
#
# Uses MONGO_URL and REDIS_URL when set, else starts the MongoDB stand-in and Redis (scripts/services.sh).
# nginx: NGINX_BIN, else `nginx` on PATH or in /usr/sbin, else installed with apt-get when root.
set -euo pipefail
cd "$(dirname "$0")/.."

die() {
  echo "deploy-check: $*" >&2
  exit 1
}
log() { echo "[deploy-check] $*" >&2; }

# The Node.js 24 that `npm install` puts in node_modules (the system `node` may be older).
NODE24="$PWD/node_modules/node/bin/node"
[ -x "$NODE24" ] || die "node_modules/node/bin/node missing: run npm install first"
[ -f dist/src/main.js ] || die "dist/src/main.js missing: run npm run build first (npm run test:deploy does)"
[ -f dist/web/index.html ] || die "dist/web/index.html missing: run npm run build:web first (npm run test:deploy does)"

# --- nginx -------------------------------------------------------------------------------------
find_nginx() {
  if [ -n "${NGINX_BIN:-}" ]; then
    [ -x "$NGINX_BIN" ] && return 0
    die "NGINX_BIN=$NGINX_BIN is not an executable"
  fi
  NGINX_BIN="$(command -v nginx 2>/dev/null || true)"
  [ -z "$NGINX_BIN" ] && [ -x /usr/sbin/nginx ] && NGINX_BIN=/usr/sbin/nginx
  [ -n "$NGINX_BIN" ]
}

install_nginx() {
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 || return 1
  log "installing nginx with apt-get"
  # No service start during the install: the package's default site would take port 80 and stay
  # running. policy-rc.d answering 101 is Debian's way to say so; it is removed right after.
  local policy=/usr/sbin/policy-rc.d made_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && made_policy=1
  fi
  local ok=0
  apt-get update -qq >/dev/null 2>&1 &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx >/dev/null 2>&1 &&
    ok=1
  [ "$made_policy" = 1 ] && rm -f "$policy"
  [ "$ok" = 1 ]
}

if ! find_nginx; then
  install_nginx || true
  find_nginx || die "nginx not found: install it (Debian: apt-get install nginx) or set NGINX_BIN; it is installed automatically only when running as root with apt-get"
fi
log "nginx: $NGINX_BIN ($("$NGINX_BIN" -v 2>&1 | sed 's/^nginx version: //'))"

# --- production-only install, as the Dockerfile's prod-deps and runtime stages ------------------
APP_DIR="$(mktemp -d -t campus-live-deploy.XXXXXX)"
source scripts/services.sh
cleanup() {
  services_down
  rm -rf "$APP_DIR"
}
trap cleanup EXIT

log "production install in $APP_DIR (npm install --omit=dev --ignore-scripts)"
cp package.json package-lock.json "$APP_DIR/"
(
  cd "$APP_DIR"
  # --prefer-offline: packages already in npm's cache are not fetched again; versions come from the lock file.
  npm_config_update_notifier=false npm install --omit=dev --ignore-scripts --no-audit --no-fund --prefer-offline --loglevel=error
) >&2 || die "npm install --omit=dev --ignore-scripts failed in $APP_DIR"
# The build stage compiles tsconfig.build.json (src and scripts) and builds the web client (dist/web);
# the image holds that dist/.
mkdir -p "$APP_DIR/dist"
cp -r dist/src dist/scripts dist/web "$APP_DIR/dist/"
# Production-only for real: a devDependency here would hide exactly the missing declarations this looks for.
if [ -e "$APP_DIR/node_modules/jest" ] || [ -e "$APP_DIR/node_modules/typescript" ]; then
  die "devDependencies were installed in $APP_DIR: the install is not production-only"
fi

# Node.js also resolves packages from node_modules folders above the app and from ~/.node_modules and
# ~/.node_libraries: any of those could supply a package the install lacks.
d="$(dirname "$APP_DIR")"
while :; do
  if [ -e "$d/node_modules" ]; then die "$d/node_modules exists: it would supply packages missing from the production install"; fi
  if [ "$d" = / ]; then break; fi
  d="$(dirname "$d")"
done
for d in "$HOME/.node_modules" "$HOME/.node_libraries"; do
  if [ -e "$d" ]; then die "$d exists: it would supply packages missing from the production install"; fi
done

# --- services, then the checks ------------------------------------------------------------------
services_up || die "could not start MongoDB/Redis (see [services] lines above)"

export DEPLOY_APP_DIR="$APP_DIR" NGINX_BIN
NODE_OPTIONS=--experimental-vm-modules "$NODE24" node_modules/.bin/jest -c jest.deploy.config.js
