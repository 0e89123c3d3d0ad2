// Attendance set-up through the API, as an ADMIN's tools would do it.
import {
  AssignGroupTeacherDocument,
  CreateGroupDocument,
  CreateSchoolDocument,
  ImportRosterDocument,
} from "../../operations/generated";
import { gql } from "../support/client";
import { signUp, type TestUser } from "../support/factories";
import type { TestServer } from "../support/server";

export interface Classroom {
  schoolId: string;
  groupId: string;
  teacher: TestUser;
  students: string[];
}

let counter = 0;

export async function createSchool(server: TestServer, admin: TestUser, region = "North", timeZone?: string): Promise<string> {
  const r = await gql(server, CreateSchoolDocument, { input: { name: `School ${++counter}`, region, timeZone } }, admin.token);
  if (!r.data) throw new Error(`createSchool: ${JSON.stringify(r.errors)}`);
  return r.data.createSchool.id;
}

export async function createGroup(server: TestServer, admin: TestUser, schoolId: string): Promise<string> {
  const r = await gql(server, CreateGroupDocument, { input: { schoolId, name: `Class ${++counter}` } }, admin.token);
  if (!r.data) throw new Error(`createGroup: ${JSON.stringify(r.errors)}`);
  return r.data.createGroup.id;
}

export async function assignTeacher(server: TestServer, admin: TestUser, groupId: string, teacherId: string): Promise<void> {
  const r = await gql(server, AssignGroupTeacherDocument, { groupId, teacherId }, admin.token);
  if (!r.data) throw new Error(`assignGroupTeacher: ${JSON.stringify(r.errors)}`);
}

/** Roster-only students, on the roll from `effectiveFrom` (default: today). */
export async function importStudents(server: TestServer, admin: TestUser, groupId: string, count: number, effectiveFrom?: string): Promise<string[]> {
  const rows = Array.from({ length: count }, (_, i) => ({ groupId, name: `Pupil ${i + 1}` }));
  const r = await gql(server, ImportRosterDocument, { input: { rows, effectiveFrom } }, admin.token);
  if (!r.data) throw new Error(`importRoster: ${JSON.stringify(r.errors)}`);
  return r.data.importRoster.studentIds;
}

/** A school with one group, its teacher, and `size` students on the roll since `effectiveFrom`. */
export async function classroom(
  server: TestServer,
  admin: TestUser,
  opts: { size?: number; region?: string; schoolId?: string; effectiveFrom?: string; timeZone?: string } = {},
): Promise<Classroom> {
  const schoolId = opts.schoolId ?? (await createSchool(server, admin, opts.region, opts.timeZone));
  const groupId = await createGroup(server, admin, schoolId);
  const teacher = await signUp(server, "INSTRUCTOR");
  await assignTeacher(server, admin, groupId, teacher.id);
  const students = await importStudents(server, admin, groupId, opts.size ?? 5, opts.effectiveFrom);
  return { schoolId, groupId, teacher, students };
}

/** Today in UTC (the default school time zone), shifted by `days`. */
export function utcDate(days = 0): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}
