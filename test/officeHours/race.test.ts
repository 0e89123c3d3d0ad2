// Two staff members on two server instances call the next student at the same time, 100 times each,
// over a line of 200: nobody is invited twice, invites follow the line's order, and a staff member
// who fires two calls at once gets one invite and INVITE_PENDING.
import { DomainEventsDocument, JoinQueueDocument, OfficeHoursStatsDocument } from "../../operations/generated";
import { errorOf, gql, subscribe, wsClient } from "../support/client";
import { logInAdmin, type TestUser } from "../support/factories";
import { waitForSubscribers } from "../support/redis";
import { deploymentEnv, startServer, stopAll, type TestServer } from "../support/server";
import { accept, callNext, endMeeting, officeHoursCourse, open, type OfficeHoursCourse } from "./setup";

const LINE = 200;
let a: TestServer;
let b: TestServer;
let c: OfficeHoursCourse;
beforeAll(async () => {
  const env = deploymentEnv({ INVITE_TTL_SECONDS: "120" });
  [a, b] = await Promise.all([startServer(env), startServer(env)]);
  c = await officeHoursCourse(a, LINE);
}, 120_000);
afterAll(stopAll);

it("never invites a student twice, keeps FIFO order, and never gives one staff member two invites", async () => {
  const joinOrder: string[] = [];
  for (const [i, s] of c.students.entries()) {
    const r = await gql(i % 2 ? b : a, JoinQueueDocument, { courseId: c.id, question: `q${i}` }, s.token);
    expect(r.data!.joinQueue.position).toBe(i + 1);
    joinOrder.push(s.id);
  }
  const admin = await logInAdmin(b);
  const invites = subscribe(wsClient(b, admin.token), DomainEventsDocument, { names: ["StudentInvited"] });
  await waitForSubscribers(b.env, "events");
  await open(a, c.ta, c.id);
  await open(b, c.owner, c.id);
  const byId = new Map(c.students.map((s) => [s.id, s]));

  const serve = async (staff: TestUser, server: TestServer, other: TestServer) => {
    const served: string[] = [];
    for (let i = 0; i < LINE / 2; i++) {
      // Two calls at once from the same person: one invite, one INVITE_PENDING.
      const [x, y] = await Promise.all([callNext(server, staff, c.id), callNext(other, staff, c.id)]);
      const got = [x, y].filter((r) => r.data?.callNext);
      expect(got).toHaveLength(1);
      expect([x, y].map((r) => errorOf(r).reason).filter(Boolean)).toEqual(["INVITE_PENDING"]);
      const entry = got[0].data!.callNext!;
      served.push(entry.student!.id);
      expect((await accept(other, byId.get(entry.student!.id)!, entry.id)).data!.acceptInvite.status).toBe("IN_MEETING");
      expect((await endMeeting(server, staff, entry.id)).data!.endMeeting.status).toBe("DONE");
    }
    return served;
  };
  const [ta, owner] = await Promise.all([serve(c.ta, a, b), serve(c.owner, b, a)]);

  const all = [...ta, ...owner];
  expect(all).toHaveLength(LINE);
  expect(new Set(all).size).toBe(LINE);

  // Invites, in the order the line's versions give them, are the join order.
  const deadline = Date.now() + 10_000;
  while (invites.received.length < LINE && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const ordered = invites.received
    .map((e) => e.domainEvents.payload as { entry: { studentId: string }; queue: { version: number } })
    .sort((x, y) => x.queue.version - y.queue.version)
    .map((p) => p.entry.studentId);
  expect(ordered).toEqual(joinOrder);

  const stats = await gql(
    a,
    OfficeHoursStatsDocument,
    { courseId: c.id, from: new Date(Date.now() - 3600_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() },
    c.owner.token,
  );
  expect(stats.data!.officeHoursStats).toMatchObject({ joined: LINE, helped: LINE, invites: LINE, noShows: 0 });
  expect(stats.data!.officeHoursStats.perStaff.map((s) => s.meetings).sort()).toEqual([LINE / 2, LINE / 2]);
}, 180_000);
