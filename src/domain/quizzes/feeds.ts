// The live views of a quiz: its leaderboard (throttled pushes, in version order, the closing one
// last) and, for a LIVE quiz, its questions as players see them (never a correct option).
import type { AuthUser } from "../../auth/tokens";
import type { EventBus } from "../../events/bus";
import { topics, type DomainEvent, type EventCatalogue, type LeaderboardSnapshot } from "../../events/catalogue";
import { liveFeed, type FeedRight } from "../../events/liveFeed";
import { sharedPayload } from "../../events/sharing";
import { versionedFeed } from "../../events/versionedFeed";
import type { QuizzesService } from "./service";
import { visibleQuestions } from "./views";

export interface QuizFeedDeps {
  events: EventBus;
  quizzes: Pick<QuizzesService, "standings" | "get">;
}

/** A question as it opens for players: what they may see of it, never its correct option. */
export interface LiveQuestion {
  questionId: string;
  index: number;
  text: string;
  options: string[];
  points: number;
  timeLimitSeconds: number;
  startedAt: Date | null;
  closesAt: Date | null;
}

/**
 * The top `first` of a quiz's leaderboard now, then at each push; the closing board counts as newer
 * than an open one of the same version. Subscribers of one `first` share each push's board.
 */
export function leaderboardFeed(deps: QuizFeedDeps, right: FeedRight, quizId: string, first: number): AsyncIterableIterator<LeaderboardSnapshot> {
  return versionedFeed(
    deps.events.subscribe(topics.quizLeaderboard(quizId)),
    {
      stateOf: boardOf,
      snapshot: () => deps.quizzes.standings(quizId, first),
      version: (board: LeaderboardSnapshot) => board.version * 2 + (board.closed ? 1 : 0),
      view: (board) => sharedPayload(board, `leaderboard:${quizId}:${board.version}:${board.closed}:${board.asOf}:${first}`, () => ({ ...board, entries: board.entries.slice(0, first) })),
    },
    right,
  );
}

/** A LIVE quiz's questions as the host starts them, the open one first (if any), as `viewer` may read the quiz. */
export function questionFeed(deps: QuizFeedDeps, right: FeedRight, viewer: AuthUser, quizId: string): AsyncIterableIterator<LiveQuestion> {
  return liveFeed(
    deps.events.subscribe(topics.quizQuestions(quizId)),
    (event: DomainEvent) => (event.name === "QuestionStarted" ? [startedQuestion(event.payload)] : []),
    async () => {
      const view = await deps.quizzes.get(viewer, quizId);
      if (view.quiz.mode !== "LIVE") return null;
      // As players see it, whoever subscribes.
      const open = visibleQuestions({ ...view, host: false }).find((q) => q.index === view.state.current && !q.closed);
      if (!open) return null;
      const { question, index, startedAt, closesAt } = open;
      return { questionId: question._id.toHexString(), index, text: question.text, options: question.options, points: question.points, timeLimitSeconds: question.timeLimitSeconds, startedAt, closesAt };
    },
    right,
  );
}

function boardOf(event: DomainEvent): LeaderboardSnapshot | undefined {
  if (event.name === "LeaderboardUpdated") return event.payload;
  if (event.name === "QuizClosed") return event.payload.standings;
  return undefined;
}

function startedQuestion(p: EventCatalogue["QuestionStarted"]): LiveQuestion {
  return {
    questionId: p.questionId,
    index: p.index,
    text: p.text,
    options: p.options,
    points: p.points,
    timeLimitSeconds: p.timeLimitSeconds,
    startedAt: new Date(p.startedAt),
    closesAt: new Date(p.closesAt),
  };
}
