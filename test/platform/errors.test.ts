import { GraphQLError } from "graphql";
import { fail } from "../../src/platform/errors";
import { createErrorFormatter, isUnexpected } from "../../src/platform/graphqlErrors";

const resolverError = (original: Error) => new GraphQLError(original.message, { path: ["x"], originalError: original });

describe("error convention", () => {
  it("turns a domain failure into code + reason", () => {
    const format = createErrorFormatter({ production: true });
    const error = resolverError(fail("CONFLICT", "Course is full", "COURSE_FULL"));
    expect(format(error.toJSON(), error)).toEqual({
      message: "Course is full",
      path: ["x"],
      extensions: { code: "CONFLICT", reason: "COURSE_FULL" },
    });
  });

  it("masks unexpected errors in production", () => {
    const format = createErrorFormatter({ production: true });
    const error = resolverError(new Error("E11000 secret collection detail"));
    const formatted = format(error.toJSON(), error);
    expect(formatted.message).toBe("Internal server error");
    expect(JSON.stringify(formatted)).not.toContain("secret");
    expect(formatted.extensions).toEqual({ code: "INTERNAL_SERVER_ERROR" });
  });

  it("keeps the message outside production, still with the code", () => {
    const format = createErrorFormatter({ production: false });
    const error = resolverError(new Error("boom"));
    expect(format(error.toJSON(), error)).toMatchObject({ message: "boom", extensions: { code: "INTERNAL_SERVER_ERROR" } });
  });

  it("counts every error by code", () => {
    const seen: string[] = [];
    const format = createErrorFormatter({ production: true, onError: (c) => seen.push(c) });
    const e1 = resolverError(fail("FORBIDDEN", "no"));
    const e2 = new GraphQLError("Cannot query field", { extensions: { code: "GRAPHQL_VALIDATION_FAILED" } });
    format(e1.toJSON(), e1);
    expect(format(e2.toJSON(), e2).extensions).toEqual({ code: "BAD_USER_INPUT", reason: "GRAPHQL_VALIDATION_FAILED" });
    expect(seen).toEqual(["FORBIDDEN", "BAD_USER_INPUT"]);
  });
});

describe("isUnexpected (what gets logged as an error with its request id)", () => {
  it("is false for domain failures and client mistakes, true for bugs", () => {
    expect(isUnexpected(resolverError(fail("CONFLICT", "full", "COURSE_FULL")))).toBe(false);
    expect(isUnexpected(new GraphQLError("bad", { extensions: { code: "GRAPHQL_PARSE_FAILED" } }))).toBe(false);
    expect(isUnexpected(resolverError(new TypeError("undefined is not a function")))).toBe(true);
  });
});
