// A staff member's meeting link opens a private meeting: course staff see it, and so does the student
// invited to or in that meeting; classmates see that the staff member is busy, nothing more (no link,
// no entry id). Over HTTP (officeHoursQueue) and graphql-ws (officeHoursStatusChanged, queueChanged),
// where one result may be executed once for many viewers: each viewer still gets their own.
import type { Client } from "graphql-ws";
import { OfficeHoursQueueDocument, OfficeHoursStatusChangedDocument, QueueChangedDocument } from "../../operations/generated";
import { gql, subscribe, wsClient, type LiveSubscription } from "../support/client";
import { startServer, stopAll, type TestServer } from "../support/server";
import type { TestUser } from "../support/factories";
import { accept, callNext, join, officeHoursCourse, open, until, type OfficeHoursCourse } from "./setup";

const LINK = "https://meet.example.edu/ta-private-room";

let server: TestServer;
let c: OfficeHoursCourse;
const clients: Client[] = [];
beforeAll(async () => {
  server = await startServer();
  c = await officeHoursCourse(server, 3);
}, 60_000);
afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await stopAll();
});

interface Duty {
  state: string;
  meetingLink: string | null;
  entryId: string | null;
}
const duty = (d: { state: string; meetingLink?: string | null; entryId?: string | null }): Duty => ({ state: d.state, meetingLink: d.meetingLink ?? null, entryId: d.entryId ?? null });

function socketOf(user: TestUser): Client {
  const client = wsClient(server, user.token);
  clients.push(client);
  return client;
}

/** What `user` sees of the one staff member on duty, over HTTP. */
async function overHttp(user: TestUser): Promise<Duty> {
  const r = await gql(server, OfficeHoursQueueDocument, { courseId: c.id }, user.token);
  expect(r.errors).toBeUndefined();
  return duty(r.data!.officeHoursQueue.status.staffOnDuty[0]);
}

it("staff and the invited (then meeting) student see the link and entry; classmates see only that the staff member is busy", async () => {
  const [ann, bob, cat] = c.students;
  const annEntry = (await join(server, ann, c.id)).data!.joinQueue.id;
  expect((await join(server, bob, c.id)).errors).toBeUndefined();

  // The invited student subscribes first, classmates after, all with the same operation: a result
  // executed once for several viewers must not carry the first one's link to the others.
  const status = (user: TestUser) => subscribe(socketOf(user), OfficeHoursStatusChangedDocument, { courseId: c.id });
  const line = (user: TestUser) => subscribe(socketOf(user), QueueChangedDocument, { courseId: c.id });
  const feeds = {
    annStatus: status(ann),
    bobStatus: status(bob),
    catStatus: status(cat),
    taStatus: status(c.ta),
    annLine: line(ann),
    bobLine: line(bob),
    ownerLine: line(c.owner),
  };
  for (const f of Object.values(feeds)) await (f as LiveSubscription<unknown>).next();

  expect((await open(server, c.ta, c.id, LINK)).errors).toBeUndefined();
  // Available, before anyone is invited: the link is for staff only.
  const available = duty({ state: "AVAILABLE" });
  const staffAvailable = duty({ state: "AVAILABLE", meetingLink: LINK });
  const statusOf = async (s: LiveSubscription<{ officeHoursStatusChanged: { staffOnDuty: Duty[] } }>, state: string) =>
    duty((await until(s.next, (v) => v.officeHoursStatusChanged.staffOnDuty[0]?.state === state)).officeHoursStatusChanged.staffOnDuty[0]);
  const lineOf = async (s: LiveSubscription<{ queueChanged: { status: { staffOnDuty: Duty[] } } }>, state: string) =>
    duty((await until(s.next, (v) => v.queueChanged.status.staffOnDuty[0]?.state === state)).queueChanged.status.staffOnDuty[0]);
  expect(await statusOf(feeds.annStatus, "AVAILABLE")).toEqual(available);
  expect(await statusOf(feeds.bobStatus, "AVAILABLE")).toEqual(available);
  expect(await statusOf(feeds.taStatus, "AVAILABLE")).toEqual(staffAvailable);
  expect(await overHttp(cat)).toEqual(available);
  expect(await overHttp(c.owner)).toEqual(staffAvailable);

  expect((await callNext(server, c.ta, c.id)).data!.callNext!.id).toBe(annEntry);
  const hidden = duty({ state: "INVITING" });
  const invited = duty({ state: "INVITING", meetingLink: LINK, entryId: annEntry });
  expect(await statusOf(feeds.annStatus, "INVITING")).toEqual(invited);
  expect(await statusOf(feeds.bobStatus, "INVITING")).toEqual(hidden);
  expect(await statusOf(feeds.catStatus, "INVITING")).toEqual(hidden);
  expect(await statusOf(feeds.taStatus, "INVITING")).toEqual(invited);
  expect(await lineOf(feeds.annLine, "INVITING")).toEqual(invited);
  expect(await lineOf(feeds.bobLine, "INVITING")).toEqual(hidden);
  expect(await lineOf(feeds.ownerLine, "INVITING")).toEqual(invited);
  expect(await overHttp(ann)).toEqual(invited);
  expect(await overHttp(bob)).toEqual(hidden);
  expect(await overHttp(cat)).toEqual(hidden);
  expect(await overHttp(c.owner)).toEqual(invited);
  expect(await overHttp(c.ta)).toEqual(invited);

  expect((await accept(server, ann, annEntry)).errors).toBeUndefined();
  const meeting = duty({ state: "IN_MEETING", meetingLink: LINK, entryId: annEntry });
  const busy = duty({ state: "IN_MEETING" });
  expect(await statusOf(feeds.annStatus, "IN_MEETING")).toEqual(meeting);
  expect(await statusOf(feeds.bobStatus, "IN_MEETING")).toEqual(busy);
  expect(await lineOf(feeds.bobLine, "IN_MEETING")).toEqual(busy);
  expect(await lineOf(feeds.ownerLine, "IN_MEETING")).toEqual(meeting);
  expect(await overHttp(ann)).toEqual(meeting);
  expect(await overHttp(bob)).toEqual(busy);
});
