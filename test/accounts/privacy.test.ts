// A user's recorded sex (for sex-restricted courses) reaches only that user and ADMINs: not the
// students who see a course's owner, and nobody through a live feed executed once for many viewers
// (there a field may not depend on who is looking). Emails of course staff stay visible: a course's
// students contact its staff.
import { CourseOwnerSexDocument, MySexDocument, StaffOnDutySexDocument } from "../../operations/generated";
import { connected, gql, subscribe, wsClient } from "../support/client";
import { createCourse, logInAdmin, signUp, type TestUser } from "../support/factories";
import { deploymentEnv, startServer, stopAll, type TestServer } from "../support/server";
import { open } from "../officeHours/setup";

let server: TestServer;
let owner: TestUser;
let student: TestUser;
let admin: TestUser;
let courseId: string;

beforeAll(async () => {
  server = await startServer(deploymentEnv());
  [owner, student, admin] = await Promise.all([signUp(server, "INSTRUCTOR", { sex: "FEMALE" }), signUp(server, "STUDENT", { sex: "MALE" }), logInAdmin(server)]);
  courseId = (await createCourse(server, owner.token, { capacity: 5 })).id;
}, 60_000);
afterAll(() => stopAll());

const ownerAs = async (token: string) => (await gql(server, CourseOwnerSexDocument, { id: courseId }, token)).data!.course!.owner;

it("a course's owner: her sex seen by herself and ADMINs, null to a student (who still sees her email)", async () => {
  expect(await ownerAs(student.token)).toEqual({ id: owner.id, email: owner.email, sex: null });
  expect(await ownerAs(owner.token)).toMatchObject({ sex: "FEMALE" });
  expect(await ownerAs(admin.token)).toMatchObject({ sex: "FEMALE" });
  expect((await gql(server, MySexDocument, {}, owner.token)).data!.me).toEqual({ id: owner.id, sex: "FEMALE" });
  expect((await gql(server, MySexDocument, {}, student.token)).data!.me).toEqual({ id: student.id, sex: "MALE" });
});

it("a live feed shared by its viewers shows nobody's sex, not even to the user herself or an ADMIN", async () => {
  expect((await open(server, owner, courseId)).data).toBeTruthy();
  for (const viewer of [owner, admin]) {
    const client = wsClient(server, viewer.token, { lazy: false });
    await connected(client);
    const feed = subscribe(client, StaffOnDutySexDocument, { courseId });
    const status = (await feed.next()).officeHoursStatusChanged;
    expect(status.staffOnDuty).toEqual([{ staff: { id: owner.id, sex: null } }]);
    await client.dispose();
  }
});
