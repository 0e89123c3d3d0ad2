import { GraphQLError } from "graphql";
import { MongoBulkWriteError, MongoNetworkError, MongoServerSelectionError } from "mongodb";
import { fail, unavailableUnlessApp } from "../../src/platform/errors";
import { outageOf } from "../../src/platform/outages";
import { createErrorFormatter, formatGraphQLError, isUnexpected } from "../../src/server/graphqlErrors";

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

  it("keeps the code of an error thrown by a subscription's event stream (graphql-ws wraps it without a path)", () => {
    const format = createErrorFormatter({ production: true });
    const wrapped = new GraphQLError("Enrollment is unavailable right now, try again", {
      originalError: fail("SERVICE_UNAVAILABLE", "Enrollment is unavailable right now, try again", "REDIS_UNAVAILABLE"),
    });
    expect(formatGraphQLError(format, wrapped)).toMatchObject({ extensions: { code: "SERVICE_UNAVAILABLE", reason: "REDIS_UNAVAILABLE" } });
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

describe("outages (MongoDB or Redis unreachable)", () => {
  const format = createErrorFormatter({ production: true });
  it.each([
    ["a MongoDB network error", new MongoNetworkError("connect ECONNREFUSED 127.0.0.1:27017"), "MONGO_UNAVAILABLE"],
    ["a MongoDB server selection timeout", new MongoServerSelectionError("Server selection timed out after 1000 ms", { error: null, servers: new Map() } as never), "MONGO_UNAVAILABLE"],
    ["one wrapped as a cause", new Error("load failed", { cause: new MongoNetworkError("socket closed") }), "MONGO_UNAVAILABLE"],
    ["one wrapped by a bulk write (insertMany)", new MongoBulkWriteError(new MongoNetworkError("connect ECONNREFUSED"), {} as never), "MONGO_UNAVAILABLE"],
    ["ioredis without a connection", new Error("Stream isn't writeable and enableOfflineQueue options is false"), "REDIS_UNAVAILABLE"],
    ["ioredis giving up a command", Object.assign(new Error("Reached the max retries per request limit (which is 1)."), { name: "MaxRetriesPerRequestError" }), "REDIS_UNAVAILABLE"],
  ])("%s is SERVICE_UNAVAILABLE, not an internal error, and not logged as a bug", (_what, original, reason) => {
    const error = resolverError(original);
    expect(format(error.toJSON(), error)).toEqual({
      message: "Service unavailable right now, try again",
      path: ["x"],
      extensions: { code: "SERVICE_UNAVAILABLE", reason },
    });
    expect(isUnexpected(error)).toBe(false);
  });
});

describe("unavailableUnlessApp (a Redis-backed step)", () => {
  it("answers SERVICE_UNAVAILABLE and keeps the failure as its cause, so the log writers retry an outage at once", async () => {
    const error = await unavailableUnlessApp("Attendance", () => Promise.reject(new Error("Connection is closed."))).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "SERVICE_UNAVAILABLE", reason: "REDIS_UNAVAILABLE" });
    expect(outageOf(error)).toBe("REDIS_UNAVAILABLE");
    const bug = await unavailableUnlessApp("Attendance", () => Promise.reject(new TypeError("x is undefined"))).catch((e: unknown) => e);
    expect(outageOf(bug)).toBeUndefined();
  });

  it("passes domain failures through", async () => {
    const error = await unavailableUnlessApp("Attendance", () => Promise.reject(fail("CONFLICT", "locked", "LESSON_LOCKED"))).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "CONFLICT", reason: "LESSON_LOCKED" });
  });
});

describe("isUnexpected (what gets logged as an error with its request id)", () => {
  it("is false for domain failures and client mistakes, true for bugs", () => {
    expect(isUnexpected(resolverError(fail("CONFLICT", "full", "COURSE_FULL")))).toBe(false);
    expect(isUnexpected(new GraphQLError("bad", { extensions: { code: "GRAPHQL_PARSE_FAILED" } }))).toBe(false);
    expect(isUnexpected(resolverError(new TypeError("undefined is not a function")))).toBe(true);
  });
});
