// Everything that runs without a request, started and stopped here: the event followers (caches and
// live-feed rights kept current by every instance's events), the three log writers (Redis Streams
// into MongoDB), the timers a change leaves behind (leaderboard pushes, office-hours line writes),
// the office-hours deadline poll, and Agenda with its jobs. Every instance runs all of it; consumer
// groups, Redis claims and Agenda's locks share the work between instances.
//
// Stop order, once the server takes no more requests: Agenda and the deadline poll (they change
// lines and quizzes), the office-hours lines still to be written, the leaderboard timers, the log
// writers (each writes what its stream still holds), then the followers. MongoDB and Redis close
// after (the runtime's close).
import type { Runtime } from "../runtime";
import { startLogWriters } from "./logWriters";
import { scheduleOfficeHoursJobs, startOfficeHoursJobs } from "./officeHours";
import { defineQuizJobs, scheduleQuizJobs } from "./quizzes";

export interface Workers {
  /** Stops everything in the reverse order of its start; a step that fails is logged and the next runs. */
  stop(): Promise<void>;
}

export async function startWorkers(runtime: Runtime): Promise<Workers> {
  const { config, logger, metrics, agenda, services } = runtime;
  const stops: { name: string; stop: () => unknown }[] = [];
  const started = (name: string, stop: () => unknown) => void stops.push({ name, stop });
  const stop = async () => {
    for (const { name, stop } of stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (err) {
        logger.warn({ err, worker: name }, "error during shutdown");
      }
    }
  };

  try {
    // Followers of other instances' events. The catalogue is read whole before the server answers.
    await services.catalogue.start(services.events);
    started("catalogue", () => services.catalogue.stop());
    // Accounts an ADMIN locked or changed: every instance's account cache and sockets follow at once.
    services.accountStates.start(services.events);
    started("account states", () => services.accountStates.stop());
    // Live feeds whose right an event withdrew end (src/events/access.ts).
    services.access.start();
    started("live-feed access", () => services.access.stop());
    // Students leaving a course: its open quizzes take no more of their answers.
    services.quizzes.start();
    started("quiz departures", () => services.quizzes.stop());
    // Teacher assignments: the school-staff cache is dropped.
    services.attendanceDirectory.start(services.events);
    started("attendance directory", () => services.attendanceDirectory.stop());

    await startLogWriters(runtime, started);

    // Timers a change leaves running (a trailing leaderboard push, a line written behind).
    started("leaderboard pushes", () => services.leaderboard.stop());
    started("office-hours line writes", () => services.officeHours.stop());

    // Deadlines and scheduled jobs: stopped first, as they change lines and quizzes.
    startOfficeHoursJobs(agenda, services.officeHoursDeadlines, services.officeHours, logger, metrics);
    started("office-hours deadlines", () => services.officeHoursDeadlines.stop());
    defineQuizJobs(agenda, services, logger);
    await agenda.start();
    started("agenda", () => agenda.stop());
    // Recurring jobs, (re)declared by every instance once Agenda runs (idempotent).
    await scheduleOfficeHoursJobs(agenda);
    await scheduleQuizJobs(agenda, config.QUIZ_CLOSE_CHECK_SECONDS);
  } catch (e) {
    await stop();
    throw e;
  }
  return { stop };
}
