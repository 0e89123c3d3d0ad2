// Apollo Server 5 for GraphQL over HTTP, with its plugins: document guards (no subscriptions over
// HTTP, well-formed strings, cost), latency per root field and logging of unexpected errors, the
// landing page outside production.
import { ApolloServer, type ApolloServerPlugin, type BaseContext } from "@apollo/server";
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { GraphQLError, type GraphQLSchema, type OperationDefinitionNode, type ValidationRule } from "graphql";
import type { AppContext } from "../context";
import type { Config } from "../platform/config";
import type { Logger } from "../platform/logger";
import type { Metrics } from "../platform/metrics";
import { landingPageWithExplorer } from "./explorer";
import { isUnexpected, type createErrorFormatter } from "./graphqlErrors";
import { assertComplexity, assertWellFormedStrings, MAX_DOCUMENT_TOKENS } from "./graphqlLimits";
import { rootFields } from "./request";

export interface ApolloDeps {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  schema: GraphQLSchema;
  formatError: ReturnType<typeof createErrorFormatter>;
  validationRules: ValidationRule[];
}

/** Apollo, started: requests are handed to it with `executeHTTPGraphQLRequest` (http.ts). */
export async function startApollo(deps: ApolloDeps): Promise<ApolloServer<AppContext>> {
  const { config, logger, metrics, schema, formatError, validationRules } = deps;
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
  return apollo;
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
