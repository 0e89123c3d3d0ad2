// Guards against abusive documents: depth, aliases, and cost (complexity) limits, shared by HTTP and WS.
import { maxAliasesRule } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthRule } from "@escape.tech/graphql-armor-max-depth";
import { GraphQLError, Kind, visit, type DocumentNode, type GraphQLSchema, type ValidationRule } from "graphql";
import {
  fieldExtensionsEstimator,
  getComplexity,
  simpleEstimator,
  type ComplexityEstimator,
} from "graphql-query-complexity";

/** Limits checked while validating a document; the cost limit needs variables, see assertComplexity. */
export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
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

/**
 * Costs that cannot change between requests, per parsed document (Apollo and graphql-ws reuse them):
 * a document's cost depends on its variables only through list sizes (`first`).
 */
const fixedCost = new WeakMap<DocumentNode, number>();

/** Throws BAD_USER_INPUT / QUERY_TOO_COMPLEX when the operation would cost more than allowed. */
export function assertComplexity(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined | null,
  max: number,
): void {
  const fixed = isFixedCost(document);
  let cost = fixed ? fixedCost.get(document) : undefined;
  if (cost === undefined) cost = computeCost(schema, document, variables, operationName);
  if (fixed) fixedCost.set(document, cost);
  if (cost > max) {
    throw new GraphQLError(`Query is too complex: cost ${cost}, limit ${max}`, {
      extensions: { code: "BAD_USER_INPUT", reason: "QUERY_TOO_COMPLEX", cost, limit: max, http: { status: 400 } },
    });
  }
}

const fixedCostDocuments = new WeakMap<DocumentNode, boolean>();

/** One operation, and no variable decides a list size: its cost is the same for every request. */
function isFixedCost(document: DocumentNode): boolean {
  let fixed = fixedCostDocuments.get(document);
  if (fixed === undefined) fixedCostDocuments.set(document, (fixed = findFixedCost(document)));
  return fixed;
}

function findFixedCost(document: DocumentNode): boolean {
  const ops = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (ops.length !== 1) return false;
  let sizedByVariable = false;
  visit(document, {
    Argument(node) {
      if (node.name.value === "first" && node.value.kind === Kind.VARIABLE) sizedByVariable = true;
    },
  });
  return !sizedByVariable;
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
