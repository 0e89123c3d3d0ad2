// Guards against abusive documents: depth, aliases, and cost (complexity) limits, shared by HTTP and WS.
import { maxAliasesRule } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthRule } from "@escape.tech/graphql-armor-max-depth";
import { GraphQLError, Kind, type DocumentNode, type GraphQLSchema, type ValidationRule } from "graphql";
import {
  fieldExtensionsEstimator,
  getComplexity,
  simpleEstimator,
  type ComplexityEstimator,
} from "graphql-query-complexity";

export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxComplexity: number;
}

const rejectWith =
  (reason: string) =>
  (ctx: { reportError(e: GraphQLError): void } | null, error: GraphQLError) =>
    ctx?.reportError(new GraphQLError(error.message, { extensions: { code: "BAD_USER_INPUT", reason } }));

export function limitRules(limits: QueryLimits): ValidationRule[] {
  return [
    maxDepthRule({
      n: limits.maxDepth,
      ignoreIntrospection: true,
      propagateOnRejection: false,
      onReject: [rejectWith("QUERY_TOO_DEEP")],
    }) as unknown as ValidationRule,
    maxAliasesRule({
      n: limits.maxAliases,
      propagateOnRejection: false,
      onReject: [rejectWith("TOO_MANY_ALIASES")],
    }) as unknown as ValidationRule,
  ];
}

/** A list field costs its page size (`first`) times what each item costs. */
const connectionEstimator: ComplexityEstimator = ({ args, childComplexity }) =>
  typeof args.first === "number" ? 1 + args.first * Math.max(childComplexity, 1) : undefined;

const estimators = [fieldExtensionsEstimator(), connectionEstimator, simpleEstimator({ defaultComplexity: 1 })];

/** Cost of documents without variables, computed once (Apollo and graphql-ws reuse parsed documents). */
const constantCost = new WeakMap<DocumentNode, number>();

/** Throws BAD_USER_INPUT / QUERY_TOO_COMPLEX when the operation would cost more than allowed. */
export function assertComplexity(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined | null,
  max: number,
): void {
  const constant = isConstant(document);
  let cost = constant ? constantCost.get(document) : undefined;
  if (cost === undefined) cost = computeCost(schema, document, variables, operationName);
  if (constant) constantCost.set(document, cost);
  if (cost > max) {
    throw new GraphQLError(`Query is too complex: cost ${cost}, limit ${max}`, {
      extensions: { code: "BAD_USER_INPUT", reason: "QUERY_TOO_COMPLEX", cost, limit: max, http: { status: 400 } },
    });
  }
}

/** One operation, no variables: its cost cannot change between requests. */
function isConstant(document: DocumentNode): boolean {
  const ops = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  return ops.length === 1 && !ops[0].variableDefinitions?.length;
}

function computeCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined | null,
): number {
  try {
    return getComplexity({ schema, query: document, variables: variables ?? {}, operationName: operationName ?? undefined, estimators });
  } catch (e) {
    // getComplexity coerces the variables first; a bad value is the client's error, as in execution.
    throw new GraphQLError((e as Error).message, {
      extensions: { code: "BAD_USER_INPUT", reason: "INVALID_VARIABLES", http: { status: 400 } },
    });
  }
}
