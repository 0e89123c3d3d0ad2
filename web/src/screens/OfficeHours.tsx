// Office hours. A student joins the line, sees their place and wait estimate, gets the invite with a
// countdown and accepts it; staff see the line, go on duty, call the next student and end meetings;
// the board shows the line's counts for a screen in the corridor.
import { memo } from "preact/compat";
import { useState } from "preact/hooks";
import { graphql } from "../gql";
import { useLive, useMutation, useQuery } from "../hooks";
import { Countdown, duration, Refusal, Section } from "../ui";
import type { Me } from "../App";

const Line = graphql(`
  subscription WebQueueChanged($courseId: ID!) {
    queueChanged(courseId: $courseId) {
      courseId
      version
      waitingCount
      invitedCount
      inMeetingCount
      status {
        open
        staffOnDuty {
          staff {
            id
            name
          }
          state
          entryId
          meetingLink
        }
      }
      entries {
        id
        status
        position
        question
        joinedAt
        inviteExpiresAt
        student {
          id
          name
        }
      }
    }
  }
`);

const MyEntry = graphql(`
  subscription WebMyQueueEntry($courseId: ID!) {
    myQueueEntryChanged(courseId: $courseId) {
      ...WebEntry
    }
  }
`);

graphql(`
  fragment WebEntry on QueueEntry {
    id
    status
    position
    question
    meetingLink
    inviteExpiresAt
    estimatedWait {
      minSeconds
      maxSeconds
      staffOnDuty
    }
  }
`);

const Course = graphql(`
  query WebOfficeHoursCourse($courseId: ID!) {
    course(id: $courseId) {
      id
      code
      title
    }
  }
`);

const Join = graphql(`
  mutation WebJoinQueue($courseId: ID!, $question: String!) {
    joinQueue(courseId: $courseId, question: $question) {
      ...WebEntry
    }
  }
`);
const Leave = graphql(`
  mutation WebLeaveQueue($courseId: ID!) {
    leaveQueue(courseId: $courseId) {
      ...WebEntry
    }
  }
`);
const Accept = graphql(`
  mutation WebAcceptInvite($entryId: ID!) {
    acceptInvite(entryId: $entryId) {
      ...WebEntry
    }
  }
`);
const OnDuty = graphql(`
  mutation WebOpenOfficeHours($courseId: ID!, $meetingLink: String!) {
    openOfficeHours(courseId: $courseId, meetingLink: $meetingLink) {
      open
    }
  }
`);
const OffDuty = graphql(`
  mutation WebCloseOfficeHours($courseId: ID!) {
    closeOfficeHours(courseId: $courseId) {
      open
    }
  }
`);
const CallNext = graphql(`
  mutation WebCallNext($courseId: ID!) {
    callNext(courseId: $courseId) {
      id
      inviteExpiresAt
      student {
        name
      }
    }
  }
`);
const EndMeeting = graphql(`
  mutation WebEndMeeting($entryId: ID!) {
    endMeeting(entryId: $entryId) {
      id
      status
    }
  }
`);
const Remove = graphql(`
  mutation WebRemoveFromQueue($entryId: ID!) {
    removeFromQueue(entryId: $entryId, reason: "Removed by staff") {
      id
    }
  }
`);

export function OfficeHoursScreen({ courseId, me }: { courseId: string; me: Me }) {
  const course = useQuery(Course, { courseId }).data?.course;
  return (
    <main>
      <h1>Office hours{course ? `: ${course.code} ${course.title}` : ""}</h1>
      {me.role === "STUDENT" ? <StudentLine courseId={courseId} /> : <StaffConsole courseId={courseId} me={me} />}
    </main>
  );
}

const WORDS: Record<string, string> = {
  WAITING: "Waiting",
  INVITED: "Invited",
  IN_MEETING: "In a meeting",
  DONE: "Done",
  EXPIRED: "Invite expired",
  WITHDRAWN: "Left the line",
  REMOVED: "Removed by staff",
};

function StudentLine({ courseId }: { courseId: string }) {
  const line = useLive(Line, { courseId }).data?.queueChanged;
  const [entry, setEntry] = useState<EntryT | null>(null);
  useLive(MyEntry, { courseId }, (d) => setEntry(d.myQueueEntryChanged as EntryT));
  const [question, setQuestion] = useState("");
  const join = useMutation(Join);
  const leave = useMutation(Leave);
  const accept = useMutation(Accept);
  const active = entry && ["WAITING", "INVITED", "IN_MEETING"].includes(entry.status);
  return (
    <>
      <Section title="The line">
        <p aria-live="polite">
          {line ? (line.status.open ? `Open: ${line.status.staffOnDuty.length} staff on duty, ${line.waitingCount} waiting.` : "Office hours are closed now.") : "Loading…"}
        </p>
      </Section>
      <Section title="My place">
        <div aria-live="assertive" data-entry-status={entry?.status ?? "NONE"}>
          {entry && <p class="status-line">{WORDS[entry.status]}</p>}
          {entry?.status === "WAITING" && (
            <p>
              Position <strong data-position={entry.position}>{entry.position}</strong>
              {entry.estimatedWait && (
                <>
                  , about {duration(entry.estimatedWait.minSeconds)} to {duration(entry.estimatedWait.maxSeconds)} ({entry.estimatedWait.staffOnDuty} on duty)
                </>
              )}
            </p>
          )}
          {entry?.status === "INVITED" && entry.inviteExpiresAt && (
            <div class="invite" role="group" aria-label="Invite">
              <p>
                You are invited: <a href={entry.meetingLink ?? "#"}>{entry.meetingLink}</a>
              </p>
              <p>
                <Countdown until={entry.inviteExpiresAt} label="Accept within" />
              </p>
              <button
                onClick={async () => {
                  const r = await accept.run({ entryId: entry.id });
                  if (r) setEntry(r.acceptInvite as EntryT);
                }}
              >
                Accept invite
              </button>
            </div>
          )}
          {entry?.status === "IN_MEETING" && entry.meetingLink && (
            <p>
              Meeting: <a href={entry.meetingLink}>{entry.meetingLink}</a>
            </p>
          )}
        </div>
        <Refusal message={join.error ?? leave.error ?? accept.error} />
        {active ? (
          <button onClick={async () => void (await leave.run({ courseId }))}>Leave the line</button>
        ) : (
          <form
            class="stack"
            onSubmit={async (e) => {
              e.preventDefault();
              const r = await join.run({ courseId, question });
              if (r) setEntry(r.joinQueue as EntryT);
            }}
          >
            <label>
              My question
              <input required maxLength={500} value={question} onInput={(e) => setQuestion((e.target as HTMLInputElement).value)} />
            </label>
            <button type="submit" disabled={join.busy}>
              Join the line
            </button>
          </form>
        )}
      </Section>
    </>
  );
}

type EntryT = {
  id: string;
  status: string;
  position?: number | null;
  question: string;
  meetingLink?: string | null;
  inviteExpiresAt?: string | null;
  estimatedWait?: { minSeconds: number; maxSeconds: number; staffOnDuty: number } | null;
};

type LineEntry = { id: string; status: string; position?: number | null; question: string; inviteExpiresAt?: string | null; student: { name: string } };

function StaffConsole({ courseId, me }: { courseId: string; me: Me }) {
  const { data, error } = useLive(Line, { courseId });
  const line = data?.queueChanged;
  const [link, setLink] = useState(`https://meet.example.edu/${me.id}`);
  const onDuty = useMutation(OnDuty);
  const offDuty = useMutation(OffDuty);
  const callNext = useMutation(CallNext);
  const end = useMutation(EndMeeting);
  const remove = useMutation(Remove);
  const [called, setCalled] = useState<string>();
  const mine = line?.status.staffOnDuty.find((s) => s.staff.id === me.id);
  return (
    <>
      <Section title="Duty">
        <Refusal message={error ?? onDuty.error ?? offDuty.error ?? callNext.error ?? end.error ?? remove.error} />
        {me.role === "OBSERVER" ? (
          <p>Read-only: observers watch the line.</p>
        ) : mine ? (
          <div class="row">
            <p>
              You are on duty ({mine.state.toLowerCase().replace("_", " ")}).
            </p>
            <button
              onClick={async () => {
                const r = await callNext.run({ courseId });
                setCalled(r ? (r.callNext ? `Invited ${r.callNext.student.name}.` : "Nobody is waiting.") : undefined);
              }}
              disabled={callNext.busy}
            >
              Call next
            </button>
            <button onClick={() => offDuty.run({ courseId })}>Go off duty</button>
          </div>
        ) : (
          <form
            class="row"
            onSubmit={(e) => {
              e.preventDefault();
              void onDuty.run({ courseId, meetingLink: link });
            }}
          >
            <label>
              Meeting link
              <input type="url" required value={link} onInput={(e) => setLink((e.target as HTMLInputElement).value)} />
            </label>
            <button type="submit">Go on duty</button>
          </form>
        )}
        <p role="status" aria-live="polite">
          {called}
        </p>
      </Section>
      <Section title="The line">
        <p aria-live="polite" data-waiting={line?.waitingCount}>
          {line ? `${line.waitingCount} waiting, ${line.invitedCount} invited, ${line.inMeetingCount} in meetings; ${line.status.staffOnDuty.length} staff on duty.` : "Loading…"}
        </p>
        <LineTable entries={line?.entries ?? []} onEnd={(id) => end.run({ entryId: id })} onRemove={(id) => remove.run({ entryId: id })} />
      </Section>
    </>
  );
}

/** The whole line: rows are keyed and memoized, so a change re-renders only the rows that changed. */
function LineTable({ entries, onEnd, onRemove }: { entries: LineEntry[]; onEnd: (id: string) => void; onRemove: (id: string) => void }) {
  return (
    <table class="list line">
      <caption class="sr-only">Students in line, in order</caption>
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">Student</th>
          <th scope="col">Question</th>
          <th scope="col">State</th>
          <th scope="col">
            <span class="sr-only">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {entries.map((e) => (
          <LineRow key={e.id} id={e.id} position={e.position} name={e.student.name} question={e.question} status={e.status} expires={e.inviteExpiresAt} onEnd={onEnd} onRemove={onRemove} />
        ))}
      </tbody>
    </table>
  );
}

const LineRow = memo(function LineRow(p: { id: string; position?: number | null; name: string; question: string; status: string; expires?: string | null; onEnd: (id: string) => void; onRemove: (id: string) => void }) {
  return (
    <tr data-entry={p.id} data-status={p.status}>
      <td>{p.position ?? "–"}</td>
      <th scope="row">{p.name}</th>
      <td>{p.question}</td>
      <td>
        {WORDS[p.status]}
        {p.status === "INVITED" && p.expires && (
          <>
            {" "}
            <Countdown until={p.expires} label="expires in" />
          </>
        )}
      </td>
      <td>
        {p.status === "IN_MEETING" && <button onClick={() => p.onEnd(p.id)}>End meeting with {p.name}</button>}
        {p.status === "WAITING" && (
          <button class="quiet" onClick={() => p.onRemove(p.id)}>
            Remove {p.name}
          </button>
        )}
      </td>
    </tr>
  );
});

export function OfficeHoursBoard({ courseId }: { courseId: string }) {
  const course = useQuery(Course, { courseId }).data?.course;
  const line = useLive(Line, { courseId }).data?.queueChanged;
  return (
    <main class="board">
      <h1>{course ? `${course.code} office hours` : "Office hours"}</h1>
      <div aria-live="polite" class="big-numbers">
        {!line ? (
          <p>Loading…</p>
        ) : !line.status.open ? (
          <p>Closed now</p>
        ) : (
          <>
            <p>
              <strong data-board-waiting={line.waitingCount}>{line.waitingCount}</strong> waiting
            </p>
            <p>
              <strong>{line.inMeetingCount}</strong> in meetings
            </p>
            <p>
              <strong>{line.status.staffOnDuty.length}</strong> staff on duty
            </p>
          </>
        )}
      </div>
    </main>
  );
}
