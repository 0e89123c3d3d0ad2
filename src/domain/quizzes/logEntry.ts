// The quiz log's entries: written to the Redis Stream by the Lua scripts (lua/join.lua,
// lua/answer.lua, lua/close.lua), read by the log's writer (writer.ts). Every entry repeats its field
// names, so they are short on the wire; code uses the names of FIELDS. The wire names and values are
// those running deployments' streams hold: changing one breaks the entries not yet written.
// test/quizzes/logEntry.test.ts holds the scripts' XADD fields to LAYOUTS.

/** Wire name of each field. */
export const FIELDS = {
  /** J joined, A answered, C closed. */
  kind: "k",
  quizId: "qz",
  questionId: "q",
  userId: "u",
  choice: "ch",
  /** '1' or '0'. */
  correct: "ok",
  pointsAwarded: "pts",
  totalScore: "tot",
  elapsedMs: "ms",
  /** ms, Redis's clock. */
  at: "at",
} as const;

type Field = keyof typeof FIELDS;

/** The fields of each kind of entry, in the order the scripts write them. */
export const LAYOUTS = {
  J: ["kind", "quizId", "userId", "at"],
  A: ["kind", "quizId", "questionId", "userId", "choice", "correct", "pointsAwarded", "totalScore", "elapsedMs", "at"],
  C: ["kind", "quizId", "at"],
} as const satisfies Record<string, readonly Field[]>;

export interface PlayerJoined {
  kind: "J";
  quizId: string;
  userId: string;
  at: number;
}

export interface QuestionAnswered {
  kind: "A";
  quizId: string;
  questionId: string;
  userId: string;
  choice: number;
  correct: boolean;
  pointsAwarded: number;
  totalScore: number;
  elapsedMs: number;
  at: number;
}

export interface QuizClosed {
  kind: "C";
  quizId: string;
  at: number;
}

export type QuizLogEntry = PlayerJoined | QuestionAnswered | QuizClosed;

/** An entry as the stream holds it (field -> value); null for a kind this code does not know. */
export function decodeQuizLog(raw: Record<string, string>): QuizLogEntry | null {
  const get = (f: Field) => raw[FIELDS[f]];
  const quizId = get("quizId");
  const at = Number(get("at"));
  switch (get("kind")) {
    case "J":
      return { kind: "J", quizId, userId: get("userId"), at };
    case "A":
      return {
        kind: "A",
        quizId,
        questionId: get("questionId"),
        userId: get("userId"),
        choice: Number(get("choice")),
        correct: get("correct") === "1",
        pointsAwarded: Number(get("pointsAwarded")),
        totalScore: Number(get("totalScore")),
        elapsedMs: Number(get("elapsedMs")),
        at,
      };
    case "C":
      return { kind: "C", quizId, at };
    default:
      return null;
  }
}

/** The field/value pairs of an entry, as the scripts XADD them. */
export function encodeQuizLog(e: QuizLogEntry): string[] {
  const values: Partial<Record<Field, string | number | boolean>> = e;
  const wire = (f: Field) => (f === "correct" ? (values.correct ? "1" : "0") : String(values[f]));
  return LAYOUTS[e.kind].flatMap((f: Field) => [FIELDS[f], wire(f)]);
}
