// Quiz fixtures: a course with enrolled students, and quizzes on it, made through the API.
import { CreateQuizDocument, EnrollDocument, JoinQuizDocument, type CreateQuizInput } from "../../operations/generated";
import { gql } from "./client";
import { createCourse, signUp, type TestUser } from "./factories";
import type { Endpoint } from "./cluster";

export interface QuizClass {
  teacher: TestUser;
  courseId: string;
  students: TestUser[];
}

/** The class's student a leaderboard entry names (by the player's name: no user id shows there). */
export function byName(cls: QuizClass, name: string): TestUser {
  const student = cls.students.find((s) => s.name === name);
  if (!student) throw new Error(`no player named ${name}`);
  return student;
}

/**
 * An instructor's course and `n` students enrolled in it (signed up 50 at a time), named "Player 1"
 * to "Player n": leaderboards show other players by name only (`byName`).
 */
export async function quizClass(server: Endpoint, n: number): Promise<QuizClass> {
  const teacher = await signUp(server, "INSTRUCTOR");
  const course = await createCourse(server, teacher.token, { capacity: Math.max(n, 1), units: 0 });
  const students: TestUser[] = [];
  for (let i = 0; i < n; i += 50) {
    const batch = await Promise.all(Array.from({ length: Math.min(50, n - i) }, (_, k) => signUp(server, "STUDENT", { name: `Player ${i + k + 1}` })));
    await Promise.all(
      batch.map(async (s) => {
        const r = await gql(server, EnrollDocument, { courseId: course.id }, s.token);
        if (r.data?.enroll.status !== "ENROLLED") throw new Error(`enroll failed: ${JSON.stringify(r.errors)}`);
      }),
    );
    students.push(...batch);
  }
  return { teacher, courseId: course.id, students };
}

/** `count` questions of 4 options; the right one is option (i % 4). */
export function questions(count: number, over: Partial<CreateQuizInput["questions"][number]> = {}): CreateQuizInput["questions"] {
  return Array.from({ length: count }, (_, i) => ({
    text: `Question ${i + 1}?`,
    options: ["A", "B", "C", "D"],
    correctOption: i % 4,
    points: 1000,
    timeLimitSeconds: 20,
    ...over,
  }));
}

export async function createQuiz(server: Endpoint, token: string, input: Partial<CreateQuizInput> & { courseId: string }) {
  const r = await gql(server, CreateQuizDocument, { input: { title: "Quiz", mode: "LIVE", questions: questions(3), ...input } }, token);
  if (!r.data) throw new Error(`createQuiz failed: ${JSON.stringify(r.errors)}`);
  return r.data.createQuiz;
}

export async function joinAll(server: Endpoint, quizId: string, students: TestUser[]): Promise<void> {
  for (let i = 0; i < students.length; i += 100) {
    await Promise.all(
      students.slice(i, i + 100).map(async (s) => {
        const r = await gql(server, JoinQuizDocument, { quizId }, s.token);
        if (!r.data) throw new Error(`joinQuiz failed: ${JSON.stringify(r.errors)}`);
      }),
    );
  }
}
