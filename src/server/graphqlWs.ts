// GraphQL over WebSocket (graphql-ws 6) on the HTTP server's /graphql: its own request pipeline,
// doing what Apollo does over HTTP (parse, validate with the same limits, coerce variables, cost,
// the account as it is now, the error convention, latency metrics), plus the socket caps, token
// expiry, shared results (sharedExecution.ts), batched writes (socketWrites.ts) and the drain.
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
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
  type ValidationRule,
} from "graphql";
import { useServer } from "graphql-ws/use/ws";
import { LRUCache } from "lru-cache";
import type { WebSocket, WebSocketServer } from "ws";
import type { AuthUser } from "../auth/tokens";
import type { AppContext } from "../context";
import { AppError } from "../platform/errors";
import { formatGraphQLError, isUnexpected, type createErrorFormatter } from "./graphqlErrors";
import { assertComplexity, assertWellFormedStrings, MAX_DOCUMENT_TOKENS } from "./graphqlLimits";
import type { ServerDeps } from "./http";
import { clientIp, rootFields } from "./request";
import { createSharedSubscribe, sharedMessagePayload, spliceSharedResults } from "./sharedExecution";
import { coalesceWrites } from "./socketWrites";

export interface GraphQLWsDeps extends Omit<ServerDeps, "readiness"> {
  formatError: ReturnType<typeof createErrorFormatter>;
  validationRules: ValidationRule[];
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
export interface GraphQLSockets {
  close(settleMs: number): Promise<void>;
}

export function useGraphQLWs(wsServer: WebSocketServer, deps: GraphQLWsDeps): GraphQLSockets {
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
