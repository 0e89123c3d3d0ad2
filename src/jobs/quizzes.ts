// Closes quizzes whose closesAt has passed: answers are refused from that instant by the answer
// script itself; this job publishes QuizClosed and has the final leaderboard stored. Closing is
// idempotent (decided in Redis), so Agenda running it twice, or on two instances, is harmless.
import type { Agenda } from "agenda";
import type { Logger } from "../platform/logger";
import type { Services } from "../services";

export const CLOSE_DUE_QUIZZES = "close due quizzes";

export function defineQuizJobs(agenda: Agenda, services: Services, logger: Logger): void {
  agenda.define(CLOSE_DUE_QUIZZES, async () => {
    const closed = await services.quizzes.closeDue();
    if (closed) logger.info({ closed }, "closed quizzes past their closesAt");
  });
}

export async function scheduleQuizJobs(agenda: Agenda, everySeconds: number): Promise<void> {
  await agenda.every(`${everySeconds} seconds`, CLOSE_DUE_QUIZZES);
}
