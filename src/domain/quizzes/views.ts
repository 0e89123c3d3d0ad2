// A quiz as one viewer sees it at one instant: its status and the questions (with correct options)
// that viewer may see. Pure: the service builds the view, the API presents it.
import { canSeeCorrectOption, canSeeQuestion } from "../../auth/policies";
import type { QuestionDoc, QuizDoc } from "../../models/quiz";
import type { LiveState } from "./engine";

/** A quiz as one viewer may see it, at one instant. */
export interface QuizView {
  quiz: QuizDoc;
  /** The viewer hosts it (course staff or ADMIN). */
  host: boolean;
  state: LiveState;
}

export type QuizStatus = "SCHEDULED" | "OPEN" | "CLOSED";

export interface QuestionView {
  question: QuestionDoc;
  index: number;
  /** null while hidden from this viewer. */
  correctOption: number | null;
  closed: boolean;
  startedAt: Date | null;
  closesAt: Date | null;
}

/** The quiz as the viewer sees it: SCHEDULED before availableFrom, CLOSED once closed or past closesAt. */
export function quizStatus(v: QuizView): QuizStatus {
  if (v.state.closed || (v.quiz.closesAt && v.state.now >= v.quiz.closesAt.getTime())) return "CLOSED";
  return v.state.now < v.quiz.availableFrom.getTime() ? "SCHEDULED" : "OPEN";
}

/** The questions this viewer may see, each with its correct option only where they may see it. */
export function visibleQuestions(v: QuizView): QuestionView[] {
  const status = quizStatus(v);
  const live = v.quiz.mode === "LIVE";
  const closed = status === "CLOSED";
  return v.quiz.questions.flatMap((question, index) => {
    if (!canSeeQuestion(v.host, { live, index, current: v.state.current, open: status === "OPEN", closed })) return [];
    const isCurrent = live && index === v.state.current;
    const questionClosed = closed || (live && (index < v.state.current || (isCurrent && v.state.now > (v.state.questionClosesAt ?? 0))));
    return [
      {
        question,
        index,
        correctOption: canSeeCorrectOption(v.host, questionClosed) ? question.correctOption : null,
        closed: questionClosed,
        startedAt: isCurrent && v.state.questionStartedAt ? new Date(v.state.questionStartedAt) : null,
        closesAt: isCurrent && v.state.questionClosesAt ? new Date(v.state.questionClosesAt) : null,
      },
    ];
  });
}
