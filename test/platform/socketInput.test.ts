// The input rules hold for operations sent over a graphql-ws socket as over HTTP: the same argument
// checks run before anything is read or written.
import { CourseDocument, LogInDocument, OpenOfficeHoursDocument, UpdateCourseDocument } from "../../operations/generated";
import { connected, errorOf, gql, wsClient, wsExecute } from "../support/client";
import { createCourse, signUp } from "../support/factories";
import { startServer, stopAll, type TestServer } from "../support/server";

let server: TestServer;
afterAll(stopAll);
beforeAll(async () => {
  server = await startServer();
});

it("refuses null and blank course fields, a non-https meeting link and an oversized e-mail over the socket, writing nothing", async () => {
  const teacher = await signUp(server, "INSTRUCTOR");
  const course = await createCourse(server, teacher.token);
  const client = wsClient(server, teacher.token, { lazy: false });
  await connected(client);
  try {
    const refused = [
      await wsExecute(client, UpdateCourseDocument, { id: course.id, input: { code: null } as never }),
      await wsExecute(client, UpdateCourseDocument, { id: course.id, input: { title: "   " } }),
      await wsExecute(client, OpenOfficeHoursDocument, { courseId: course.id, meetingLink: "javascript:alert(1)" }),
      await wsExecute(client, LogInDocument, { email: `${"a".repeat(300)}@campus.test`, password: "correct horse battery" }),
    ];
    for (const r of refused) {
      expect(r.data ?? null).toBeNull();
      expect(errorOf({ status: 200, ...r }).code).toBe("BAD_USER_INPUT");
    }
    const stored = (await gql(server, CourseDocument, { id: course.id }, teacher.token)).data!.course!;
    expect({ code: stored.code, title: stored.title }).toEqual({ code: course.code, title: "A course" });
  } finally {
    await client.dispose();
  }
});
