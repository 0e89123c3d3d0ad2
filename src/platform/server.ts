// One HTTP server, one path: POST/GET /graphql (Apollo Server 5), WebSocket /graphql (graphql-ws 6),
// plus /healthz and /readyz, and the web client's files under /app/ (webApp.ts); /metrics on a
// listener of its own (METRICS_HOST:METRICS_PORT).
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { ApolloServer, HeaderMap, type ApolloServerPlugin, type BaseContext } from "@apollo/server";
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import {
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  getOperationAST,
  getVariableValues,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from "graphql";
import { useServer } from "graphql-ws/use/ws";
import { LRUCache } from "lru-cache";
import getRawBody from "raw-body";
import { WebSocketServer, type WebSocket } from "ws";
import type { TokenService, AuthUser } from "../auth/tokens";
import type { AppContext } from "../context";
import type { Services } from "../services";
import type { Config } from "./config";
import { AppError } from "./errors";
import { createExplorer, landingPageWithExplorer } from "./explorer";
import { HttpDrain } from "./httpDrain";
import { createWebApp } from "./webApp";
import { assertComplexity, assertWellFormedStrings, limitRules, MAX_DOCUMENT_TOKENS } from "./graphqlLimits";
import { createSharedSubscribe, sharedMessagePayload, spliceSharedResults } from "./sharedExecution";
import { coalesceWrites } from "./socketWrites";
import { createErrorFormatter, formatGraphQLError, isUnexpected } from "./graphqlErrors";
import type { Logger } from "./logger";
import type { Metrics } from "./metrics";

export interface ServerDeps {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  schema: GraphQLSchema;
  services: Services;
  tokens: TokenService;
  readiness: () => Promise<Record<string, boolean>>;
}

export interface RunningServer {
  httpServer: Server;
  /** Starts the API listener and the metrics listener; resolves with their ports. */
  listen(): Promise<{ port: number; metricsPort: number }>;
  close(): Promise<void>;
}

const GRAPHQL_PATH = "/graphql";
/** At shutdown, how long requests already on their way are given to arrive (httpDrain.ts). */
const DRAIN_SETTLE_MS = 250;

export async function createHttpServer(deps: ServerDeps): Promise<RunningServer> {
  const { config, logger, metrics, schema, services, tokens } = deps;
  const httpServer = createServer();
  // Keep-alive longer than typical proxy idle timeouts, so proxies never reuse a closing socket.
  httpServer.keepAliveTimeout = 65_000;
  httpServer.headersTimeout = 66_000;

  const formatError = createErrorFormatter({
    production: config.isProduction,
    onError: (code) => metrics.errors.inc({ code }),
  });
  const validationRules = limitRules({
    maxDepth: config.MAX_QUERY_DEPTH,
    maxAliases: config.MAX_ALIASES,
  });

  const drain = new HttpDrain(httpServer);
  const wsServer = new WebSocketServer({ server: httpServer, path: GRAPHQL_PATH, maxPayload: config.BODY_LIMIT_BYTES });
  const sockets = useGraphQLWs(wsServer, { ...deps, formatError, validationRules });

  const apollo = new ApolloServer<AppContext>({
    schema,
    formatError,
    validationRules,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    // No client sends persisted-query hashes; off, anonymous callers cannot fill a cache with documents.
    persistedQueries: false,
    parseOptions: { maxTokens: MAX_DOCUMENT_TOKENS },
    introspection: !config.isProduction,
    hideSchemaDetailsFromClientErrors: config.isProduction,
    includeStacktraceInErrorResponses: false,
    // The process owns SIGTERM/SIGINT (start.ts); Apollo's own handlers would race its shutdown.
    stopOnTerminationSignals: false,
    plugins: [
      // No HTTP cache hints are used; the default cache-control plugin would wrap every field resolver.
      ApolloServerPluginCacheControlDisabled(),
      // Production serves no page and no schema: GET /graphql from a browser is a plain 400.
      // Elsewhere Apollo Sandbox, whose offline note links to the bundled explorer (explorer.ts).
      config.isProduction ? ApolloServerPluginLandingPageDisabled() : landingPageWithExplorer(),
      complexityPlugin(config.MAX_QUERY_COMPLEXITY),
      observabilityPlugin(metrics, logger),
    ],
  });
  await apollo.start();

  // The bundled explorer (/explorer), for when Sandbox cannot load; never in production.
  const explorer = config.isProduction ? undefined : createExplorer(GRAPHQL_PATH);
  // The reference web client (/app/), in every environment.
  const webApp = createWebApp();

  httpServer.on("request", (req, res) => {
    const requestId = requestIdOf(req);
    res.setHeader("x-request-id", requestId);
    const path = (req.url ?? "/").split("?", 1)[0];
    const done = (p: Promise<void>) =>
      p.catch((err) => {
        logger.error({ err, requestId }, "request failed");
        if (!res.headersSent) sendJson(res, 500, { errors: [{ message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" } }] });
        else res.end();
      });
    switch (path) {
      case GRAPHQL_PATH:
        return done(handleGraphQL(req, res, requestId));
      case "/healthz":
        return sendJson(res, 200, { status: "ok" });
      case "/readyz":
        if (drain.isDraining) return sendJson(res, 503, { status: "stopping" });
        return done(
          deps.readiness().then((checks) => {
            const ready = Object.values(checks).every(Boolean);
            sendJson(res, ready ? 200 : 503, { status: ready ? "ready" : "unavailable", checks });
          }),
        );
      default:
        if (explorer?.(req, res, path) || webApp(req, res, path)) return;
        return sendJson(res, 404, { error: "not found" });
    }
  });

  async function handleGraphQL(req: IncomingMessage, res: ServerResponse, requestId: string) {
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(", ") : value);
    }
    let body: unknown;
    if (req.method === "POST") {
      try {
        body = await readBody(req, config.BODY_LIMIT_BYTES, headers.get("content-type"));
      } catch (e) {
        const error = e as AppError;
        // raw-body leaves the rest of the body unread and the stream paused: drain it, or the client's
        // next request on this keep-alive connection is never read (it hangs).
        req.resume();
        return sendJson(res, error.details?.status === 413 ? 413 : 400, {
          errors: [{ message: error.message, extensions: { code: error.code, reason: error.reason } }],
        });
      }
    }
    const url = new URL(req.url ?? "/", "http://localhost");
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? "GET", headers, search: url.search, body },
      context: async () => contextFor(req, requestId),
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === "complete") {
      res.end(response.body.string);
    } else {
      for await (const chunk of response.body.asyncIterator) res.write(chunk);
      res.end();
    }
  }

  // The token's account as it is now (accountStates.ts): locked or gone is 401, its stored role applies.
  async function contextFor(req: IncomingMessage, requestId: string): Promise<AppContext> {
    let user: AuthUser | null;
    try {
      const claimed = tokens.fromHeader(req.headers.authorization);
      user = claimed && (await services.accountStates.current(claimed));
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      const err = e as AppError;
      throw new GraphQLError(err.message, {
        extensions: { code: err.code, reason: err.reason, http: { status: 401 } },
      });
    }
    return { user, ip: clientIp(req, config.TRUST_PROXY), requestId, logger, services };
  }

  // Prometheus scrapes its own listener (METRICS_HOST, loopback by default): the API port, public
  // behind the proxy, never serves /metrics.
  const metricsServer = createServer((req, res) => {
    if ((req.url ?? "/").split("?", 1)[0] !== "/metrics") return sendJson(res, 404, { error: "not found" });
    metrics.render().then(
      ({ text, contentType }) => {
        res.writeHead(200, { "content-type": contentType });
        res.end(text);
      },
      (err) => {
        logger.error({ err }, "metrics failed");
        sendJson(res, 500, { error: "metrics unavailable" });
      },
    );
  });

  const listenOn = (server: Server, port: number, host: string) =>
    new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => resolve((server.address() as { port: number }).port));
    });

  return {
    httpServer,
    listen: async () => ({
      port: await listenOn(httpServer, config.PORT, config.HOST),
      metricsPort: await listenOn(metricsServer, config.METRICS_PORT, config.METRICS_HOST),
    }),
    // Stop accepting; answer what was received over HTTP and over sockets; close the sockets with
    // 1001 (clients reconnect elsewhere); then stop Apollo. The services close after this.
    close: async () => {
      drain.begin();
      await Promise.all([drain.finish(DRAIN_SETTLE_MS), sockets.close(DRAIN_SETTLE_MS)]);
      await apollo.stop();
      metricsServer.close();
      metricsServer.closeAllConnections();
    },
  };
}

/** Parsed and validated subscription documents kept (count, and total characters of their text). */
const WS_DOCUMENT_CACHE_SIZE = 500;
const WS_DOCUMENT_CACHE_CHARS = 2_000_000;

type WsExtra = {
  socket: WebSocket;
  request: IncomingMessage;
  user?: AuthUser | null;
  subscriptions?: Set<string>;
  /** Queries and mutations received on this socket and not yet answered. */
  pending?: Set<string>;
};

/**
 * Shutdown: after `settleMs`, closes every socket with 1001 once its queries and mutations are
 * answered, then the WebSocket server.
 */
interface GraphQLSockets {
  close(settleMs: number): Promise<void>;
}

function useGraphQLWs(
  wsServer: WebSocketServer,
  deps: ServerDeps & {
    formatError: ReturnType<typeof createErrorFormatter>;
    validationRules: ReturnType<typeof limitRules>;
  },
): GraphQLSockets {
  const { schema, metrics, tokens, config, logger, services, formatError, validationRules } = deps;
  // Production answers no introspection over the socket either (Apollo's `introspection: false` over HTTP).
  const rules = [...specifiedRules, ...validationRules, ...(config.isProduction ? [NoSchemaIntrospectionCustomRule] : [])];
  const format = (errors: readonly GraphQLError[]) => errors.map((e) => formatGraphQLError(formatError, e));
  // Documents that parsed and validated, by their text (as Apollo keeps them over HTTP): the
  // thousands of dashboards holding the same subscription share one syntax tree instead of one each.
  // Bounded by count and by text size; invalid documents are never kept.
  const validDocuments = new LRUCache<string, DocumentNode>({
    max: WS_DOCUMENT_CACHE_SIZE,
    maxSize: WS_DOCUMENT_CACHE_CHARS,
    sizeCalculation: (_doc, query) => query.length,
  });

  // When each operation's checks began, for the latency of queries and mutations sent over a socket.
  const startedAt = new WeakMap<object, bigint>();

  // Shutdown: a socket closes (1001) as soon as it has no query or mutation unanswered.
  let closing = false;
  let unanswered = 0;
  let allAnswered: (() => void) | null = null;
  const extraOf = new WeakMap<WebSocket, WsExtra>();
  // Open sockets per account ("u:<id>") and per address of signed-out sockets ("a:<ip>"), this instance:
  // counted against the caps, and a locked account's closed at once (4401, as for an expired token:
  // the client stops retrying, and logging in again answers ACCOUNT_LOCKED).
  const socketsOf = new Map<string, Set<WebSocket>>();
  const goingAway = (socket: WebSocket) => socket.close(1001, "Server shutting down");
  const stopWatchingAccounts = services.accountStates.onChange((change) => {
    if (!change.locked) return;
    for (const socket of socketsOf.get(`u:${change.userId}`) ?? []) socket.close(4401, "Account locked");
  });
  /** The socket's user as the account is now; when it may no longer act, the socket is closed (4401) and the error returned. */
  const currentUser = async (extra: WsExtra): Promise<AuthUser | null | AppError> => {
    if (!extra.user) return null;
    try {
      return await services.accountStates.current(extra.user);
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      extra.socket.close(4401, e.reason === "ACCOUNT_LOCKED" ? "Account locked" : "Unauthorized");
      return e;
    }
  };

  const cleanup = useServer<Record<string, unknown> | undefined, WsExtra>(
    {
      schema,
      // Payloads marked with shareAs() are executed once for all their subscribers.
      subscribe: createSharedSubscribe(),
      onConnect: async (ctx) => {
        try {
          ctx.extra.user = tokens.fromHeader(ctx.connectionParams?.authorization);
        } catch {
          // 4401: the token is missing its signature, expired or forged; the client must log in again.
          ctx.extra.socket.close(4401, "Unauthorized");
          return false;
        }
        // 4401 as well when the token's account is locked or gone.
        const current = await currentUser(ctx.extra);
        if (current instanceof AppError) return false;
        ctx.extra.user = current;
        const user = ctx.extra.user;
        const owner = user ? `u:${user.id}` : `a:${clientIp(ctx.extra.request, config.TRUST_PROXY)}`;
        const open = socketsOf.get(owner) ?? new Set<WebSocket>();
        if (open.size >= (user ? config.MAX_SOCKETS_PER_ACCOUNT : config.MAX_ANONYMOUS_SOCKETS_PER_ADDRESS)) {
          // 1008 (policy violation): over MAX_SOCKETS_PER_ACCOUNT / MAX_ANONYMOUS_SOCKETS_PER_ADDRESS.
          ctx.extra.socket.close(1008, user ? "Too many sockets for this account" : "Too many sockets from this address");
          return false;
        }
        socketsOf.set(owner, open.add(ctx.extra.socket));
        ctx.extra.socket.once("close", () => {
          open.delete(ctx.extra.socket);
          if (!open.size && socketsOf.get(owner) === open) socketsOf.delete(owner);
        });
        ctx.extra.subscriptions = new Set();
        ctx.extra.pending = new Set();
        extraOf.set(ctx.extra.socket, ctx.extra);
        // A result shared by many subscriptions goes out as bytes serialized once (sharedExecution.ts).
        spliceSharedResults(ctx.extra.socket as unknown as Parameters<typeof spliceSharedResults>[0]);
        // An operation's messages (an answer's `next` and `complete`) leave in one write (socketWrites.ts).
        coalesceWrites(ctx.extra.socket as unknown as Parameters<typeof coalesceWrites>[0], ctx.extra.request.socket);
        metrics.openSockets.inc();
        // A socket lives no longer than its token: the client reconnects with a fresh one.
        const expiresAt = ctx.extra.user?.expiresAt;
        if (expiresAt) {
          const timer = setTimeout(() => ctx.extra.socket.close(4401, "Token expired"), Math.max(0, expiresAt - Date.now()));
          timer.unref();
          ctx.extra.socket.once("close", () => clearTimeout(timer));
        }
        return true;
      },
      onDisconnect: (ctx) => {
        metrics.openSockets.dec();
        // graphql-ws may call onComplete for these after onDisconnect: clear, so each counts once.
        metrics.activeSubscriptions.dec(ctx.extra.subscriptions?.size ?? 0);
        ctx.extra.subscriptions?.clear();
      },
      onSubscribe: async (ctx, id, payload) => {
        let document = validDocuments.get(payload.query);
        if (!document) {
          try {
            document = parse(payload.query, { maxTokens: MAX_DOCUMENT_TOKENS });
          } catch (e) {
            return [withCode(e as GraphQLError, "GRAPHQL_PARSE_FAILED")];
          }
          const errors = validate(schema, document, rules);
          if (errors.length) return errors.map((e) => withCode(e, "GRAPHQL_VALIDATION_FAILED"));
          validDocuments.set(payload.query, document);
        }
        // Variables are checked here, as Apollo does over HTTP: graphql-js would report them from
        // execution without a code.
        const operation = getOperationAST(document, payload.operationName);
        if (operation) {
          const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], payload.variables ?? {});
          if (coerced.errors) return coerced.errors.map((e) => withCode(e, "BAD_USER_INPUT"));
        }
        try {
          assertWellFormedStrings(document, payload.variables);
          assertComplexity(schema, document, payload.variables ?? undefined, payload.operationName, config.MAX_QUERY_COMPLEXITY);
        } catch (e) {
          return [e as GraphQLError];
        }
        // Every operation runs as the account is now: a role changed since the socket opened applies.
        const user = await currentUser(ctx.extra);
        if (user instanceof AppError) return [new GraphQLError(user.message, { extensions: { code: user.code, reason: user.reason } })];
        const contextValue: AppContext = {
          user,
          ip: clientIp(ctx.extra.request, config.TRUST_PROXY),
          requestId: randomUUID(),
          logger,
          services,
        };
        startedAt.set(contextValue, process.hrtime.bigint());
        if (operation?.operation === "subscription") {
          // Counted from here, not once the subscription runs: a burst of subscribe messages cannot slip past.
          if (ctx.extra.subscriptions!.size >= config.MAX_SUBSCRIPTIONS_PER_SOCKET) {
            return [
              new GraphQLError(`At most ${config.MAX_SUBSCRIPTIONS_PER_SOCKET} subscriptions per socket`, {
                extensions: { code: "RATE_LIMITED", reason: "TOO_MANY_SUBSCRIPTIONS" },
              }),
            ];
          }
          ctx.extra.subscriptions!.add(id);
          metrics.activeSubscriptions.inc();
        } else if (operation) {
          ctx.extra.pending!.add(id);
          unanswered++;
        }
        return { schema, document, variableValues: payload.variables, operationName: payload.operationName, contextValue };
      },
      onOperation: (ctx, id, _payload, args) => {
        const op = getOperationAST(args.document, args.operationName);
        if (op && op.operation !== "subscription") {
          // A query or mutation over the socket is timed as over HTTP (observabilityPlugin).
          const started = startedAt.get(args.contextValue as object);
          if (started !== undefined) metrics.operationDuration.observe({ operation: rootFields(op), type: op.operation }, Number(process.hrtime.bigint() - started) / 1e9);
        }
      },
      onComplete: (ctx, id) => {
        if (ctx.extra.subscriptions?.delete(id)) {
          metrics.activeSubscriptions.dec();
        } else if (ctx.extra.pending?.delete(id)) {
          unanswered--;
          // After this hook graphql-ws sends the `complete` message: close behind it, not before.
          if (closing && ctx.extra.pending.size === 0) setImmediate(goingAway, ctx.extra.socket);
          if (unanswered === 0) allAnswered?.();
        }
      },
      onError: (_ctx, _id, _payload, errors) => format(errors),
      onNext: (_ctx, _id, _payload, args, result) => {
        if (!result.errors) return sharedMessagePayload(result) as ExecutionResult | undefined;
        const requestId = (args.contextValue as AppContext | undefined)?.requestId;
        for (const err of result.errors) {
          if (isUnexpected(err)) logger.error({ err, requestId }, "unexpected error in subscription");
        }
        return { ...result, errors: format(result.errors) };
      },
    },
    wsServer,
  );

  return {
    async close(settleMs) {
      // Messages already on their way are read and their operations counted first (as over HTTP).
      await new Promise((resolve) => setTimeout(resolve, settleMs));
      await new Promise((resolve) => setImmediate(resolve));
      closing = true;
      for (const socket of wsServer.clients) {
        const extra = extraOf.get(socket);
        if (!extra?.pending?.size) goingAway(socket);
        // else goingAway() when its last answer is sent (onComplete)
      }
      if (unanswered > 0) await new Promise<void>((resolve) => (allAnswered = resolve));
      stopWatchingAccounts();
      await cleanup.dispose();
    },
  };
}

/** Tags a parse/validation error the way Apollo does over HTTP, keeping a more precise reason. */
function withCode(error: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(error.message, { nodes: error.nodes, extensions: { ...error.extensions, code } });
}

/** Document guards over HTTP: subscriptions only over WebSocket, well-formed strings, cost. */
function complexityPlugin(max: number): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, request, operationName, operation }) {
          if (operation?.operation === "subscription") {
            throw new GraphQLError("Subscriptions run over WebSocket (graphql-ws) on this URL", {
              extensions: { code: "BAD_USER_INPUT", reason: "SUBSCRIPTION_OVER_HTTP", http: { status: 400 } },
            });
          }
          assertWellFormedStrings(document, request.variables);
          assertComplexity(schema, document, request.variables, operationName, max);
        },
      };
    },
  };
}

/** Latency per operation, labelled by its root field (bounded by the schema, unlike operationName). */
function observabilityPlugin(metrics: Metrics, logger: Logger): ApolloServerPlugin<AppContext> {
  return {
    async requestDidStart() {
      const start = process.hrtime.bigint();
      let operation: OperationDefinitionNode | null | undefined;
      return {
        async didResolveOperation({ operation: op }) {
          operation = op;
        },
        async didEncounterErrors({ errors, contextValue }) {
          for (const err of errors) {
            if (isUnexpected(err)) logger.error({ err, requestId: contextValue?.requestId }, "unexpected error");
          }
        },
        async willSendResponse({ contextValue, errors }) {
          const seconds = Number(process.hrtime.bigint() - start) / 1e9;
          const name = operation ? rootFields(operation) : "invalid";
          metrics.operationDuration.observe({ operation: name, type: operation?.operation ?? "none" }, seconds);
          contextValue?.logger?.debug?.(
            { requestId: contextValue.requestId, operation: name, ms: seconds * 1000, errors: errors?.length ?? 0 },
            "graphql request",
          );
        },
      };
    },
  };
}

const rootFieldsCache = new WeakMap<OperationDefinitionNode, string>();
function rootFields(op: OperationDefinitionNode): string {
  let label = rootFieldsCache.get(op);
  if (label === undefined) rootFieldsCache.set(op, (label = computeRootFields(op)));
  return label;
}

/**
 * The metrics label of a validated operation: its root field (a name the schema defines), or
 * "(several)": labels stay bounded by the schema, whatever documents callers invent.
 */
function computeRootFields(op: OperationDefinitionNode): string {
  const names = new Set(op.selectionSet.selections.map((s) => (s.kind === "Field" ? s.name.value : "...")));
  return names.size === 1 && !names.has("...") ? [...names][0] : "(several)";
}

async function readBody(req: IncomingMessage, limit: number, contentType: string | undefined): Promise<unknown> {
  let raw: string;
  try {
    raw = await getRawBody(req, { limit, encoding: "utf8" });
  } catch (e) {
    const tooLarge = (e as { type?: string }).type === "entity.too.large";
    throw new AppError(
      "BAD_USER_INPUT",
      tooLarge ? `Request body larger than ${limit} bytes` : "Could not read request body",
      tooLarge ? "BODY_TOO_LARGE" : "BAD_BODY",
      { status: tooLarge ? 413 : 400 },
    );
  }
  if (!contentType?.toLowerCase().includes("json")) return raw;
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    throw new AppError("BAD_USER_INPUT", "Malformed JSON body", "MALFORMED_JSON", { status: 400 });
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(body));
}

const REQUEST_ID = /^[\w.:-]{1,100}$/;
function requestIdOf(req: IncomingMessage): string {
  const given = req.headers["x-request-id"];
  return typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
}

function clientIp(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const fwd = req.headers["x-forwarded-for"];
    const first = (Array.isArray(fwd) ? fwd[0] : fwd)?.split(",")[0]?.trim();
    if (first) return first;
  }
  return req.socket.remoteAddress ?? "unknown";
}

