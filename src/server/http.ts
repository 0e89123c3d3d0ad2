// One HTTP server, one path: POST/GET /graphql (Apollo Server 5, apollo.ts), WebSocket /graphql
// (graphql-ws 6, graphqlWs.ts), plus /healthz and /readyz, the bundled explorer outside production
// (explorer.ts) and the web client's files under /app/ (webApp.ts); /metrics on a listener of its own
// (METRICS_HOST:METRICS_PORT). Shutdown drains HTTP and sockets before Apollo stops.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { HeaderMap } from "@apollo/server";
import { GraphQLError, type GraphQLSchema } from "graphql";
import getRawBody from "raw-body";
import { WebSocketServer } from "ws";
import type { AuthUser, TokenService } from "../auth/tokens";
import type { AppContext } from "../context";
import type { Config } from "../platform/config";
import { AppError } from "../platform/errors";
import type { Logger } from "../platform/logger";
import type { Metrics } from "../platform/metrics";
import type { Services } from "../services";
import { startApollo } from "./apollo";
import { createExplorer } from "./explorer";
import { createErrorFormatter } from "./graphqlErrors";
import { limitRules } from "./graphqlLimits";
import { useGraphQLWs } from "./graphqlWs";
import { HttpDrain } from "./httpDrain";
import { clientIp, requestIdOf } from "./request";
import { createWebApp } from "./webApp";

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

  const apollo = await startApollo({ config, logger, metrics, schema, formatError, validationRules });

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
    const target = req.url ?? "/";
    const query = target.indexOf("?");
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? "GET", headers, search: query < 0 ? "" : target.slice(query), body },
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
