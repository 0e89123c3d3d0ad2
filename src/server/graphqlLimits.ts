// Guards against abusive documents: depth, aliases, and cost (complexity) limits, shared by HTTP and WS.
import { maxAliasesRule } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthRule } from "@escape.tech/graphql-armor-max-depth";
import { BREAK, GraphQLError, Kind, visit, type DocumentNode, type GraphQLSchema, type ValidationRule } from "graphql";
import {
  fieldExtensionsEstimator,
  getComplexity,
  simpleEstimator,
  type ComplexityEstimator,
} from "graphql-query-complexity";
import { MAX_PAGE_SIZE } from "../schema/relay";

/**
 * Tokens a document may have (ours have at most ~110): parsing stops beyond it. Validation walks
 * fragment chains recursively, so a 40 KB chain of 3,000 fragments overflowed the stack (a 500).
 */
export const MAX_DOCUMENT_TOKENS = 5_000;

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

/** A page size outside 1..MAX_PAGE_SIZE: refused before execution, so it can never lower a document's cost. */
class PageSizeError extends GraphQLError {
  constructor(field: string, first: number) {
    super(`${field}: first must be an integer from 1 to ${MAX_PAGE_SIZE} (got ${first})`, {
      extensions: { code: "BAD_USER_INPUT", reason: "INVALID_INPUT", http: { status: 400 } },
    });
  }
}

/** A list field costs its page size (`first`) times what each item costs. */
const connectionEstimator: ComplexityEstimator = ({ args, childComplexity, field }) => {
  if (args.first === undefined || args.first === null) return undefined;
  const first = Number(args.first);
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) throw new PageSizeError(field.name, first);
  return 1 + first * Math.max(childComplexity, 1);
};

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
    if (e instanceof PageSizeError) throw e;
    // getComplexity coerces the variables first; a bad value is the client's error, as in execution.
    throw new GraphQLError((e as Error).message, {
      extensions: { code: "BAD_USER_INPUT", reason: "INVALID_VARIABLES", http: { status: 400 } },
    });
  }
}

/**
 * NUL or a lone UTF-16 surrogate anywhere in a string the client sends: validators throw on lone
 * surrogates (validator's isEmail calls encodeURI), UTF-8 cannot carry them, and PostgreSQL (FerretDB)
 * refuses NUL in queries and documents.
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const illFormed = (s: string) => s.includes("\u0000") || LONE_SURROGATE.test(s);

const literalsChecked = new WeakMap<DocumentNode, boolean>();

/** Throws BAD_USER_INPUT / INVALID_STRING when a string literal or variable (or a key) is ill-formed. */
export function assertWellFormedStrings(document: DocumentNode, variables: unknown): void {
  let clean = literalsChecked.get(document);
  if (clean === undefined) {
    clean = true;
    visit(document, {
      StringValue(node) {
        if (illFormed(node.value)) {
          clean = false;
          return BREAK;
        }
      },
    });
    literalsChecked.set(document, clean);
  }
  if (!clean || !wellFormedValue(variables)) {
    throw new GraphQLError("Strings must be well-formed Unicode without NUL characters", {
      extensions: { code: "BAD_USER_INPUT", reason: "INVALID_STRING", http: { status: 400 } },
    });
  }
}

/** Walks a JSON value without recursion (variables can nest thousands deep). */
function wellFormedValue(root: unknown): boolean {
  const stack: unknown[] = [root];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === "string") {
      if (illFormed(v)) return false;
    } else if (Array.isArray(v)) {
      for (const item of v) stack.push(item);
    } else if (v && typeof v === "object") {
      for (const [key, item] of Object.entries(v)) {
        if (illFormed(key)) return false;
        stack.push(item);
      }
    }
  }
  return true;
}
