// The authorization matrix, generated from schema.graphql: every query, mutation and subscription
// is called by every persona (anonymous, OBSERVER, a STUDENT of the course, a STUDENT of another
// course, an INSTRUCTOR of another course, the course's own staff, ADMIN) with well-typed arguments
// naming real objects, over HTTP or graphql-ws as a client would. What each may do is written in
// EXPECTED below; a schema field without an entry fails, so no operation ships undecided.
//
// "allowed" = not refused for authorization (data, or a domain answer such as NOT_FOUND, CONFLICT or
// BAD_USER_INPUT); never INTERNAL_SERVER_ERROR or a 5xx. AUTH_MATRIX_PRINT=1 prints what the server
// answered, cell by cell.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  buildSchema,
  getNamedType,
  isEnumType,
  isNonNullType,
  isScalarType,
  type GraphQLField,
  type GraphQLObjectType,
} from "graphql";
import { Redis } from "ioredis";
import { LockAccountDocument, SetRoleDocument } from "../../operations/generated";
import { gql, rawPost, wsClient } from "../support/client";
import { waitForSubscriberCount } from "../support/redis";
import { accountWithRole, logInAdmin, signUp, uniqueEmail } from "../support/factories";
import { startServer, stopAll, type TestServer } from "../support/server";
import { buildWorld, PERSONAS, type Persona, type World } from "./world";

const schema = buildSchema(readFileSync(join(__dirname, "..", "..", "schema.graphql"), "utf8"));

type Kind = "query" | "mutation" | "subscription";
/** allowed | UNAUTHENTICATED | FORBIDDEN (any reason) | FORBIDDEN:<reason> */
type Outcome = string;
type Row = Record<Persona, Outcome>;

interface Entry {
  /** Several calls of one field (different arguments decide differently): one probe each. */
  label?: string;
  /** Arguments beyond the ids found by name (see idFor); may depend on the caller. */
  vars?: (w: World, p: Persona) => Record<string, unknown>;
  expect: Row;
  /** Changes what later calls of the same persona see (drops, closes, archives): run after the rest. */
  last?: boolean;
  /** Subscriptions that send nothing until something happens: the Redis channel that proves they hold. */
  channel?: (w: World, p: Persona) => string;
}

const OK = "allowed";
const U = "UNAUTHENTICATED";
const F = (reason?: string) => (reason ? `FORBIDDEN:${reason}` : "FORBIDDEN");
const ROLE = F("ROLE_REQUIRED");
/** Allowed, but pinned to this answer (CODE:REASON or "data"): e.g. another's object answered as not found. */
const OK_AS = (detail: string) => `${OK} (${detail})`;

/** `roles` allowed, every other signed-in persona refused by role, anonymous unauthenticated; then overrides. */
function only(roles: Persona[], overrides: Partial<Row> = {}): Row {
  const row = Object.fromEntries(PERSONAS.map((p) => [p, p === "anonymous" ? U : roles.includes(p) ? OK : ROLE])) as Row;
  return { ...row, ...overrides };
}
const SIGNED_IN: Persona[] = ["observer", "student", "otherStudent", "otherInstructor", "staff", "admin"];
const EVERYONE_SIGNED_IN = only(SIGNED_IN);
const PUBLIC = Object.fromEntries(PERSONAS.map((p) => [p, OK])) as Row;

const courseCode = () => `M${randomBytes(4).toString("hex")}`.toUpperCase();
const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();
const daysAgo = (w: World, n: number) => new Date(Date.parse(w.today) - n * 86_400_000).toISOString().slice(0, 10);

const READ_LINE = only(["observer", "student", "staff", "admin"], { otherStudent: F("NOT_ENROLLED"), otherInstructor: F("NOT_COURSE_STAFF") });
const RUN_LINE = only(["staff", "admin"], { otherInstructor: F("NOT_COURSE_STAFF") });
const MANAGE_COURSE = only(["staff", "admin"], { otherInstructor: F("NOT_COURSE_OWNER") });
const SEE_QUIZ = only(["student", "staff", "admin"], { observer: F("NOT_ENROLLED"), otherStudent: F("NOT_ENROLLED"), otherInstructor: F("NOT_ENROLLED") });
const HOST_QUIZ = only(["staff", "admin"], { otherInstructor: F("NOT_COURSE_STAFF") });
const READ_GROUP = only(["observer", "staff", "admin"], { otherInstructor: F("NOT_GROUP_TEACHER") });
const TAKE_REGISTER = only(["staff", "admin"], { otherInstructor: F("NOT_GROUP_TEACHER") });
const READ_SCHOOL = only(["observer", "staff", "admin"], { otherInstructor: F("FORBIDDEN") });
const STUDENTS = only(["student", "otherStudent"]);
const ADMIN_ONLY = only(["admin"]);
const stats = (scope: string, id: (w: World, p: Persona) => string) => (w: World, p: Persona) => ({ scope, id: id(w, p), from: daysAgo(w, 30), to: w.today });

/**
 * Who may call what. Personas: `student` is enrolled in the course (and on the group's roll),
 * `otherStudent` only in another course; `staff` owns the course, hosts its quiz and teaches the
 * group; `otherInstructor` owns another course and teaches no group; `observer` is an OBSERVER token.
 */
const EXPECTED: Record<string, Entry | Entry[]> = {
  // --- accounts
  "Query.me": { expect: PUBLIC }, // null when anonymous
  "Query.users": { expect: ADMIN_ONLY },
  "Mutation.signUp": { vars: () => ({ input: { email: uniqueEmail("matrix"), password: "correct horse battery", name: "New", role: "STUDENT" } }), expect: PUBLIC },
  "Mutation.logIn": { vars: (w) => ({ email: w.queued.email, password: w.queued.password }), expect: PUBLIC },
  "Subscription.domainEvents": { channel: () => "events", expect: ADMIN_ONLY },
  // On `ta`, whom nobody calls as; the lock is undone by unlockAccount, which runs after it.
  "Mutation.setRole": { vars: (w) => ({ userId: w.ta.id, role: "INSTRUCTOR" }), expect: ADMIN_ONLY },
  "Mutation.lockAccount": { vars: (w) => ({ userId: w.ta.id }), last: true, expect: ADMIN_ONLY },
  "Mutation.unlockAccount": { vars: (w) => ({ userId: w.ta.id }), last: true, expect: ADMIN_ONLY },

  // --- courses and enrollment: the catalogue and its live counts are for everyone signed in
  "Query.courses": { expect: EVERYONE_SIGNED_IN },
  "Query.course": { expect: EVERYONE_SIGNED_IN },
  "Subscription.courseSeatsChanged": { expect: EVERYONE_SIGNED_IN },
  "Query.myEnrollments": { expect: STUDENTS },
  "Query.myEnrollmentProfile": { expect: STUDENTS },
  "Subscription.myEnrollmentChanged": { channel: (w, p) => `my-enrollments:${w.userIds[p as Exclude<Persona, "anonymous">]}`, expect: STUDENTS },
  "Query.courseEnrollments": { expect: only(["staff", "admin"], { otherInstructor: F("NOT_COURSE_STAFF") }) },
  "Mutation.createCourse": [
    {
      vars: () => ({ input: { code: courseCode(), title: "Matrix", category: "CS", department: "Computing", units: 1, capacity: 5 } }),
      expect: only(["otherInstructor", "staff", "admin"]),
    },
    {
      label: "ownerId", // only an ADMIN may create a course for someone else
      vars: (w) => ({ input: { code: courseCode(), title: "Matrix", category: "CS", department: "Computing", units: 1, capacity: 5, ownerId: w.staff.id } }),
      expect: ADMIN_ONLY,
    },
  ],
  "Mutation.updateCourse": { vars: () => ({ input: { title: "Renamed" } }), expect: MANAGE_COURSE },
  "Mutation.archiveCourse": { last: true, expect: MANAGE_COURSE },
  "Mutation.assignInstructor": { expect: MANAGE_COURSE },
  "Mutation.removeInstructor": { last: true, expect: MANAGE_COURSE },
  "Mutation.updateCapacity": { vars: () => ({ capacity: 20, reserveCapacity: 5 }), expect: MANAGE_COURSE },
  "Mutation.enroll": { vars: (w) => ({ courseId: w.course2Id }), expect: STUDENTS },
  "Mutation.disenroll": { vars: (w) => ({ courseId: w.course2Id }), last: true, expect: STUDENTS },
  "Mutation.switchCourse": { last: true, expect: STUDENTS },
  "Mutation.forceEnroll": { expect: ADMIN_ONLY },
  "Mutation.forceDisenroll": { last: true, expect: ADMIN_ONLY },
  "Mutation.setEnrollmentProfile": { vars: () => ({ input: { maxUnits: 20 } }), expect: ADMIN_ONLY },

  // --- office hours: the line is seen by its course's staff, enrolled students, ADMIN and OBSERVER
  "Query.officeHoursQueue": { expect: READ_LINE },
  "Query.officeHoursSchedule": { expect: READ_LINE },
  "Subscription.queueChanged": { expect: READ_LINE },
  "Subscription.officeHoursStatusChanged": { expect: READ_LINE },
  "Query.officeHoursStats": { vars: (w) => ({ from: `${daysAgo(w, 30)}T00:00:00.000Z`, to: inAnHour() }), expect: only(["observer", "staff", "admin"], { otherInstructor: F("NOT_COURSE_STAFF") }) },
  "Query.myQueueEntry": { expect: STUDENTS }, // the caller's own entry (null in a course they are not in)
  "Query.myOpenOfficeHours": { expect: STUDENTS }, // open office hours of the caller's own courses (none for otherStudent's)
  "Subscription.myQueueEntryChanged": { channel: (w) => `office-hours:${w.courseId}`, expect: only(["student"], { otherStudent: F("NOT_ENROLLED") }) },
  "Mutation.joinQueue": { vars: () => ({ question: "Matrix question" }), expect: only(["student"], { otherStudent: F("NOT_ENROLLED") }) },
  "Mutation.leaveQueue": { last: true, expect: STUDENTS },
  // The entry is another student's: answered as if it did not exist.
  "Mutation.acceptInvite": { expect: only(["student", "otherStudent"], { student: OK_AS("NOT_FOUND:ENTRY_NOT_FOUND"), otherStudent: OK_AS("NOT_FOUND:ENTRY_NOT_FOUND") }) },
  "Mutation.openOfficeHours": { vars: () => ({ meetingLink: "https://meet.example.edu/matrix" }), expect: RUN_LINE },
  "Mutation.closeOfficeHours": { last: true, expect: RUN_LINE },
  "Mutation.callNext": { expect: RUN_LINE },
  "Mutation.endMeeting": { expect: RUN_LINE },
  "Mutation.removeFromQueue": { vars: () => ({ reason: "matrix" }), last: true, expect: RUN_LINE },
  "Mutation.setOfficeHoursPolicy": { vars: () => ({ input: { maxQueueLength: 50 } }), expect: RUN_LINE },
  "Mutation.scheduleOfficeHours": {
    vars: () => ({ input: { startsAt: new Date(Date.now() + 2 * 86_400_000).toISOString(), endsAt: new Date(Date.now() + 2 * 86_400_000 + 3_600_000).toISOString() } }),
    expect: RUN_LINE,
  },
  "Mutation.cancelOfficeHoursWindow": { last: true, expect: RUN_LINE },

  // --- quizzes: hosts (course staff, ADMIN) and the students enrolled in the course
  "Query.quiz": { expect: SEE_QUIZ },
  "Query.quizzes": [
    { label: "courseId", vars: (w) => ({ filter: { courseId: w.courseId } }), expect: SEE_QUIZ },
    { label: "mine", expect: EVERYONE_SIGNED_IN }, // only the quizzes the caller may see (none for an outsider)
  ],
  "Query.leaderboard": { expect: SEE_QUIZ },
  "Subscription.leaderboardChanged": { channel: (w) => `quiz-leaderboard:${w.quizId}`, expect: SEE_QUIZ },
  "Subscription.questionStarted": { channel: (w) => `quiz-questions:${w.quizId}`, expect: SEE_QUIZ },
  "Query.myQuizResult": { expect: only(["student", "otherStudent"], { otherStudent: OK_AS("CONFLICT:NOT_JOINED") }) },
  "Mutation.createQuiz": {
    vars: (w) => ({ input: { courseId: w.courseId, title: "Matrix quiz", mode: "SELF_PACED", questions: [{ text: "Q?", options: ["A", "B"], correctOption: 0 }] } }),
    expect: HOST_QUIZ,
  },
  "Mutation.startQuestion": { expect: HOST_QUIZ },
  "Mutation.closeQuiz": { last: true, expect: HOST_QUIZ },
  "Mutation.joinQuiz": { expect: only(["student"], { otherStudent: F("NOT_ENROLLED") }) },
  // Not enrolled, so never joined: the answer is refused as NOT_JOINED.
  "Mutation.answer": { vars: () => ({ choice: 0 }), expect: only(["student", "otherStudent"], { otherStudent: OK_AS("CONFLICT:NOT_JOINED") }) },

  // --- attendance: a group's teachers and its school's staff; ADMIN and OBSERVER read everything
  "Query.lesson": { vars: (w) => ({ date: w.today, period: 1 }), expect: READ_GROUP },
  "Query.lessons": { vars: (w) => ({ from: daysAgo(w, 7), to: w.today }), expect: READ_GROUP },
  "Query.group": { expect: READ_GROUP },
  "Query.openLessons": { vars: (w) => ({ date: w.today }), expect: READ_SCHOOL },
  "Query.school": { expect: READ_SCHOOL },
  "Query.schools": { expect: only(["observer", "admin"]) },
  "Query.myGroups": { expect: only(["otherInstructor", "staff"]) },
  "Query.attendanceStats": [
    { label: "STUDENT", vars: stats("STUDENT", (w) => w.student.id), expect: only(["observer", "student", "staff", "admin"], { otherStudent: F("FORBIDDEN"), otherInstructor: F("FORBIDDEN") }) },
    { label: "STUDENT self", vars: stats("STUDENT", (w, p) => (p === "anonymous" ? w.student.id : w.userIds[p])), expect: EVERYONE_SIGNED_IN },
    { label: "GROUP", vars: stats("GROUP", (w) => w.groupId), expect: only(["observer", "staff", "admin"], { student: F("NOT_GROUP_TEACHER"), otherStudent: F("NOT_GROUP_TEACHER"), otherInstructor: F("NOT_GROUP_TEACHER") }) },
    { label: "SCHOOL", vars: stats("SCHOOL", (w) => w.schoolId), expect: only(["observer", "staff", "admin"], { student: F("FORBIDDEN"), otherStudent: F("FORBIDDEN"), otherInstructor: F("FORBIDDEN") }) },
    { label: "REGION", vars: stats("REGION", (w) => w.region), expect: only(["observer", "admin"], { student: F("FORBIDDEN"), otherStudent: F("FORBIDDEN"), otherInstructor: F("FORBIDDEN"), staff: F("FORBIDDEN") }) },
  ],
  "Subscription.attendanceChanged": { channel: (w) => `attendance:${w.schoolId}`, expect: READ_SCHOOL },
  "Mutation.createSchool": { vars: (w) => ({ input: { name: "Matrix school", region: w.region, timeZone: "UTC" } }), expect: ADMIN_ONLY },
  "Mutation.createGroup": { vars: (w) => ({ input: { schoolId: w.schoolId, name: "Matrix group" } }), expect: ADMIN_ONLY },
  "Mutation.assignGroupTeacher": { expect: ADMIN_ONLY },
  "Mutation.removeGroupTeacher": { last: true, expect: ADMIN_ONLY },
  "Mutation.importRoster": { vars: (w) => ({ input: { rows: [{ groupId: w.groupId, studentId: w.student.id }] } }), expect: ADMIN_ONLY },
  "Mutation.removeFromRoster": { vars: (w) => ({ input: { groupId: w.groupId, studentIds: [w.student.id] } }), last: true, expect: ADMIN_ONLY },
  "Mutation.reportAbsence": {
    vars: (w) => ({ input: { groupId: w.groupId, date: w.today, period: 2, absences: [{ studentId: w.student.id, kind: "LATE" }] } }),
    expect: TAKE_REGISTER,
  },
  "Mutation.retractAbsence": { vars: (w) => ({ input: { groupId: w.groupId, date: w.today, period: 2, studentIds: [w.student.id] } }), expect: TAKE_REGISTER },
  "Mutation.completeLesson": { vars: (w) => ({ date: w.today, period: 2 }), expect: TAKE_REGISTER },
};

// ---------------------------------------------------------------------------------------------------

interface Probe {
  /** `Type.field`, with `[label]` for one of several cases. */
  name: string;
  /** `Type.field` as in the schema. */
  schemaName: string;
  kind: Kind;
  field: GraphQLField<unknown, unknown>;
  entry: Entry | undefined;
}

const rootFields = (type: GraphQLObjectType | null | undefined, kind: Kind): Probe[] =>
  Object.values(type?.getFields() ?? {}).flatMap((field): Probe[] => {
    const name = `${type!.name}.${field.name}`;
    const entries = EXPECTED[name];
    if (!entries) return [{ name, schemaName: name, kind, field, entry: undefined }];
    return (Array.isArray(entries) ? entries : [entries]).map((entry) => ({ name: entry.label ? `${name}[${entry.label}]` : name, schemaName: name, kind, field, entry }));
  });
const probes = [
  ...rootFields(schema.getQueryType(), "query"),
  ...rootFields(schema.getSubscriptionType(), "subscription"),
  ...rootFields(schema.getMutationType(), "mutation"),
];

/** An id argument, by its name: the world's object of that kind. */
function idFor(w: World, field: string, arg: string): unknown {
  const byName: Record<string, unknown> = {
    courseId: w.courseId,
    fromCourseId: w.course2Id,
    toCourseId: w.otherCourseId,
    quizId: w.quizId,
    questionId: w.questionId,
    entryId: w.entryId,
    windowId: w.windowId,
    schoolId: w.schoolId,
    groupId: w.groupId,
    studentId: w.queued.id,
    teacherId: w.staff.id,
    instructorId: w.ta.id,
  };
  if (arg === "id") {
    const byField: Record<string, string> = { course: w.courseId, updateCourse: w.courseId, archiveCourse: w.courseId, quiz: w.quizId, school: w.schoolId, group: w.groupId };
    return byField[field];
  }
  return byName[arg];
}

function variablesFor(probe: Probe, w: World, p: Persona): Record<string, unknown> {
  const given = probe.entry?.vars?.(w, p) ?? {};
  const vars: Record<string, unknown> = {};
  for (const arg of probe.field.args) {
    if (arg.name in given) vars[arg.name] = given[arg.name];
    else if (getNamedType(arg.type).name === "ID" && idFor(w, probe.field.name, arg.name) !== undefined) vars[arg.name] = idFor(w, probe.field.name, arg.name);
    else if (isNonNullType(arg.type) && arg.defaultValue === undefined) {
      throw new Error(`${probe.name}: no value for required argument ${arg.name}; give it in EXPECTED's vars`);
    }
  }
  return vars;
}

/** The call, passing only the arguments given (the others keep their schema defaults). */
function document(probe: Probe, variables: Record<string, unknown>): string {
  const { kind } = probe;
  const field = probe.field;
  const given = field.args.filter((a) => a.name in variables);
  const vars = given.map((a) => `$${a.name}: ${String(a.type)}`);
  const args = given.map((a) => `${a.name}: $${a.name}`);
  const leaf = getNamedType(field.type);
  const selection = isScalarType(leaf) || isEnumType(leaf) ? "" : " { __typename }";
  return `${kind} Probe${vars.length ? `(${vars.join(", ")})` : ""} { ${field.name}${args.length ? `(${args.join(", ")})` : ""}${selection} }`;
}

interface Answer {
  outcome: Outcome;
  /** What came back, for the printout: data, or the error's code and reason. */
  detail: string;
}

function classify(status: number, errors: readonly { message?: string; extensions?: Record<string, unknown> }[] | undefined): Answer {
  const e = errors?.[0];
  const code = e?.extensions?.code as string | undefined;
  const reason = e?.extensions?.reason as string | undefined;
  if (status >= 500 || code === "INTERNAL_SERVER_ERROR") return { outcome: `INTERNAL (${status})`, detail: `${status} ${e?.message ?? ""}` };
  if (code === "UNAUTHENTICATED") return { outcome: U, detail: `${code}:${reason}` };
  if (code === "FORBIDDEN") return { outcome: F(reason), detail: `${code}:${reason}` };
  // The probe's own document or variables are wrong: that answers nothing about authorization.
  if (reason === "GRAPHQL_PARSE_FAILED" || reason === "GRAPHQL_VALIDATION_FAILED") return { outcome: `BROKEN PROBE (${reason})`, detail: e?.message ?? "" };
  return { outcome: OK, detail: e ? `${code}:${reason}` : "data" };
}

async function callHttp(server: TestServer, probe: Probe, w: World, p: Persona, token = w.tokens[p]): Promise<Answer> {
  const variables = variablesFor(probe, w, p);
  const r = await rawPost(server, JSON.stringify({ query: document(probe, variables), variables }), token);
  return classify(r.status, r.errors);
}

/** The first thing the server answers on the socket; silence is "allowed" only if the subscription holds in Redis. */
async function callWs(server: TestServer, redis: Redis, probe: Probe, w: World, p: Persona, token = w.tokens[p]): Promise<Answer> {
  // Channels are shared by probes (and an instance subscribes once per channel): start from an empty
  // one, so a subscriber seen afterwards is this probe's, not an earlier probe's still closing.
  const channel = probe.entry?.channel?.(w, p);
  if (channel) await waitForSubscriberCount(server.env, channel, (n) => n === 0, 5000, redis);
  const client = wsClient(server, token);
  const variables = variablesFor(probe, w, p);
  try {
    const first = await new Promise<Answer | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), 3000);
      const done = (a: Answer) => {
        clearTimeout(timer);
        resolve(a);
      };
      client.subscribe(
        { query: document(probe, variables), variables },
        {
          next: (v) => done(v.errors ? classify(200, v.errors as never) : { outcome: OK, detail: "data" }),
          error: (e) => done(Array.isArray(e) ? classify(200, e) : { outcome: `CLOSED (${(e as { code?: number }).code ?? String(e)})`, detail: String(e) }),
          complete: () => done({ outcome: OK, detail: "completed" }),
        },
      );
    });
    if (first) return first;
    if (!channel) return { outcome: "SILENT", detail: "no message in 3 s and no channel to check" };
    const held = await waitForSubscriberCount(server.env, channel, (n) => n > 0, 5000, redis).catch(() => 0);
    return held ? { outcome: OK, detail: `subscribed (${channel})` } : { outcome: "SILENT", detail: `no message and nobody on ${channel}` };
  } finally {
    await client.dispose();
  }
}

let server: TestServer;
let redis: Redis;
let world: World;
const answers = new Map<string, Record<Persona, Answer>>();

beforeAll(async () => {
  server = await startServer();
  redis = new Redis(server.env.REDIS_URL);
  world = await buildWorld(server, "matrix");
  const runnable = probes.filter((p) => p.entry);
  // Each persona in turn (ADMIN last, as it may change anything), its reads first, then its feeds, then
  // its changes, destructive ones at the end: every cell sees the world as set up, whatever ran before.
  for (const persona of PERSONAS) {
    const ordered = [...runnable.filter((p) => !p.entry!.last), ...runnable.filter((p) => p.entry!.last)];
    for (const probe of ordered) {
      const answer = probe.kind === "subscription" ? await callWs(server, redis, probe, world, persona) : await callHttp(server, probe, world, persona);
      const row = answers.get(probe.name) ?? ({} as Record<Persona, Answer>);
      row[persona] = answer;
      answers.set(probe.name, row);
    }
  }
  if (process.env.AUTH_MATRIX_PRINT) {
    const lines = [...answers].map(([name, row]) => `${name.padEnd(38)} ${PERSONAS.map((p) => `${p}=${row[p].outcome}(${row[p].detail})`).join("  ")}`);
    process.stdout.write(`\n${lines.join("\n")}\n`);
  }
}, 180_000);

afterAll(async () => {
  redis?.disconnect();
  await stopAll();
});

it("has an entry for every query, mutation and subscription of the schema, and none for fields that do not exist", () => {
  expect(probes.length).toBeGreaterThanOrEqual(60);
  expect(probes.filter((p) => !p.entry).map((p) => p.name)).toEqual([]);
  const names = new Set(probes.map((p) => p.schemaName));
  expect(Object.keys(EXPECTED).filter((n) => !names.has(n))).toEqual([]);
});

it.each(probes.filter((p) => p.entry).map((p) => [p.name, p] as const))("%s", (_name, probe) => {
  const row = answers.get(probe.name)!;
  const got = Object.fromEntries(PERSONAS.map((p) => [p, expectedForm(probe.entry!.expect[p], row[p])]));
  expect({ [probe.name]: got }).toEqual({ [probe.name]: probe.entry!.expect });
});

/** FORBIDDEN without a reason accepts any reason; a pinned allowed cell compares the answer too. */
function expectedForm(expected: Outcome, got: Answer): Outcome {
  if (expected === "FORBIDDEN" && got.outcome.startsWith("FORBIDDEN")) return expected;
  if (expected.startsWith(`${OK} (`) && got.outcome === OK) return OK_AS(got.detail);
  return got.outcome;
}


describe("revocation: rights withdrawn by an ADMIN hold for every operation of the schema", () => {
  const call = (probe: Probe, token: string) =>
    probe.kind === "subscription" ? callWs(server, redis, probe, world, "otherStudent", token) : callHttp(server, probe, world, "otherStudent", token);

  it("a locked account is refused everything: UNAUTHENTICATED over HTTP, its socket closed with 4401", async () => {
    const admin = await logInAdmin(server);
    const victim = await signUp(server);
    expect((await gql(server, LockAccountDocument, { userId: victim.id }, admin.token)).data?.lockAccount.locked).toBe(true);
    const got: Record<string, string> = {};
    for (const probe of probes.filter((p) => p.entry)) got[probe.name] = (await call(probe, victim.token)).outcome;
    const expected = Object.fromEntries(Object.keys(got).map((name) => [name, probes.find((p) => p.name === name)!.kind === "subscription" ? "CLOSED (4401)" : U]));
    expect(got).toEqual(expected);
  }, 120_000);

  it("an ADMIN made STUDENT loses every role-gated operation at once, as a student enrolled nowhere", async () => {
    const admin = await logInAdmin(server);
    const former = await accountWithRole(server, admin, "ADMIN");
    await gql(server, SetRoleDocument, { userId: former.id, role: "STUDENT" }, admin.token);
    const gated = probes.filter((p) => p.entry && p.entry.expect.otherStudent === ROLE && p.entry.expect.admin === OK);
    expect(gated.length).toBeGreaterThan(10);
    const got: Record<string, string> = {};
    for (const probe of gated) got[probe.name] = (await call(probe, former.token)).outcome;
    expect(got).toEqual(Object.fromEntries(gated.map((p) => [p.name, ROLE])));
  }, 120_000);
});
