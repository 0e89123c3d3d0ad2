# syntax=docker/dockerfile:1
#
# Campus Live API image.
#
#   docker build -t campus-live .
#   docker run --rm -p 4000:4000 -e MONGO_URL=... -e REDIS_URL=... -e JWT_SECRET=... campus-live
#
# Three stages: `build` compiles the TypeScript and builds the web client (dist/web) with the full
# dependency tree, `prod-deps` installs the production dependencies only (cached until package*.json
# change), and the final stage holds nothing but those, dist/ and package.json, running as the
# unprivileged `node` user.
#
# Install scripts are skipped everywhere (--ignore-scripts): argon2 ships prebuilt glibc binaries
# (loaded with node-gyp-build at run time), the `node` dev dependency's script would download a
# second Node.js, and mongodb-memory-server's would download a mongod that production never uses
# (MONGO_URL is required when NODE_ENV=production).
#
# Why `npm install` and not `npm ci`: the committed package-lock.json has no entries for the
# non-Linux builds of two dev-only native packages (@swc/core-*, @unrs/resolver-binding-*; see
# npm/cli#4828), and `npm ci` refuses such a lock file ("Missing: ... from lock file"). With a lock
# file present and satisfying package.json, `npm install` installs exactly the locked versions (it
# only fills in the missing optional entries). Switch both lines back to `npm ci` once the lock
# file lists every platform.

ARG NODE_IMAGE=node:24-bookworm-slim

# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm install --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts ./scripts
# tsc, then the .lua files copied beside the compiled modules that load them.
RUN npm run build
# The web client (Vite): dist/web, served by the server at /app/.
COPY web ./web
RUN npx vite build --config web/vite.config.mts --logLevel warn

# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
ENV npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm install --omit=dev --ignore-scripts

# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
# A fixed glibc mmap threshold: large buffers (argon2 hashes 19 MiB each) go back to the OS when
# freed instead of staying in the heap, so RSS does not ratchet up after a log-in storm; a 64 MB V8
# semi-space: less GC work under load than smaller ones (docs/benchmarks.md has the figures; the
# benchmarks run the server with the same settings, bench/lib/deployment.ts SERVER_ENV).
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000 \
    MALLOC_MMAP_THRESHOLD_=131072 \
    NODE_OPTIONS=--max-semi-space-size=64
WORKDIR /app
# Owned by root and read-only for `node`: the server writes nothing to disk.
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER node
EXPOSE 4000
# Liveness only (/healthz); readiness (/readyz: MongoDB and Redis reachable) is for orchestrators
# and load balancers, see docker-compose.yml. No curl in slim images, so Node's fetch does it.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/healthz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Node runs as PID 1 and handles SIGTERM/SIGINT itself (graceful shutdown, SHUTDOWN_TIMEOUT_MS).
CMD ["node", "dist/src/main.js"]
