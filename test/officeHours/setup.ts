// A course with office hours: an owner, a TA, enrolled students; and the calls tests make often.
import {
  AcceptInviteDocument,
  AssignInstructorDocument,
  CallNextDocument,
  EndMeetingDocument,
  EnrollDocument,
  JoinQueueDocument,
  OpenOfficeHoursDocument,
  SetOfficeHoursPolicyDocument,
  type OfficeHoursPolicyInput,
} from "../../operations/generated";
import { gql } from "../support/client";
import { createCourse, signUp, type TestUser } from "../support/factories";
import type { TestServer } from "../support/server";

export interface OfficeHoursCourse {
  id: string;
  owner: TestUser;
  ta: TestUser;
  students: TestUser[];
}

export async function officeHoursCourse(server: TestServer, studentCount: number, owner?: TestUser): Promise<OfficeHoursCourse> {
  const [o, ta] = await Promise.all([owner ?? signUp(server, "INSTRUCTOR"), signUp(server, "INSTRUCTOR")]);
  const course = await createCourse(server, o.token, { capacity: studentCount + 10 });
  const assigned = await gql(server, AssignInstructorDocument, { courseId: course.id, instructorId: ta.id }, o.token);
  if (!assigned.data) throw new Error(`assignInstructor failed: ${JSON.stringify(assigned.errors)}`);
  const students = await enrolledStudents(server, course.id, studentCount);
  return { id: course.id, owner: o, ta, students };
}

export async function enrolledStudents(server: TestServer, courseId: string, n: number): Promise<TestUser[]> {
  const students: TestUser[] = [];
  for (let i = 0; i < n; i += 25) {
    students.push(...(await Promise.all(Array.from({ length: Math.min(25, n - i) }, () => signUp(server, "STUDENT")))));
  }
  await Promise.all(
    students.map(async (s) => {
      const r = await gql(server, EnrollDocument, { courseId }, s.token);
      if (r.data?.enroll.status !== "ENROLLED") throw new Error(`enroll failed: ${JSON.stringify(r.errors)}`);
    }),
  );
  return students;
}

export const join = (server: TestServer, s: TestUser, courseId: string, question = "Question 3b") =>
  gql(server, JoinQueueDocument, { courseId, question }, s.token);
export const open = (server: TestServer, staff: TestUser, courseId: string, meetingLink = `https://meet.example.edu/${staff.id}`) =>
  gql(server, OpenOfficeHoursDocument, { courseId, meetingLink }, staff.token);
export const callNext = (server: TestServer, staff: TestUser, courseId: string) => gql(server, CallNextDocument, { courseId }, staff.token);
export const accept = (server: TestServer, s: TestUser, entryId: string) => gql(server, AcceptInviteDocument, { entryId }, s.token);
export const endMeeting = (server: TestServer, staff: TestUser, entryId: string) => gql(server, EndMeetingDocument, { entryId }, staff.token);
export const setPolicy = async (server: TestServer, staff: TestUser, courseId: string, input: OfficeHoursPolicyInput) => {
  const r = await gql(server, SetOfficeHoursPolicyDocument, { courseId, input }, staff.token);
  if (!r.data) throw new Error(`setOfficeHoursPolicy failed: ${JSON.stringify(r.errors)}`);
  return r.data.setOfficeHoursPolicy;
};

/** Waits for the first item that passes `check` (a subscription delivers intermediate states too). */
export async function until<T>(next: (timeoutMs?: number) => Promise<T>, check: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await next(Math.max(1, deadline - Date.now()));
    if (check(v)) return v;
  }
}
