// Attendance. The teacher's register: the roll, one tap per absent pupil (kind and reason beside it),
// then complete. The school dashboard: open registers and today's rates, kept current by
// attendanceChanged (a COMPLETE takes a register off the list).
import { useEffect, useState } from "preact/hooks";
import { graphql } from "../gql";
import { useLive, useMutation, useQuery } from "../hooks";
import { percent, Refusal, Section, todayIn } from "../ui";

const GroupQuery = graphql(`
  query WebGroup($groupId: ID!) {
    group(id: $groupId) {
      id
      name
      school {
        id
        name
        timeZone
      }
      roll(first: 100) {
        edges {
          node {
            studentId
            student {
              name
            }
          }
        }
      }
    }
  }
`);

graphql(`
  fragment WebLesson on Lesson {
    id
    date
    period
    status
    version
    present
    absent
    late
    absences {
      studentId
      kind
      reason
    }
  }
`);

const LessonQuery = graphql(`
  query WebLesson($groupId: ID!, $date: String!, $period: Int!) {
    lesson(groupId: $groupId, date: $date, period: $period) {
      ...WebLesson
    }
  }
`);

const Report = graphql(`
  mutation WebReportAbsence($input: ReportAbsenceInput!) {
    reportAbsence(input: $input) {
      ...WebLesson
    }
  }
`);
const Retract = graphql(`
  mutation WebRetractAbsence($input: RetractAbsenceInput!) {
    retractAbsence(input: $input) {
      ...WebLesson
    }
  }
`);
const Complete = graphql(`
  mutation WebCompleteLesson($groupId: ID!, $date: String!, $period: Int!) {
    completeLesson(groupId: $groupId, date: $date, period: $period) {
      ...WebLesson
    }
  }
`);

type Kind = "UNEXCUSED" | "EXCUSED" | "LATE" | "APPROVED_ACTIVITY";
const KINDS: Record<Kind, string> = { UNEXCUSED: "Absent, unexcused", EXCUSED: "Absent, excused", LATE: "Late", APPROVED_ACTIVITY: "Approved activity" };
type LessonT = { status: string; present?: number | null; absent?: number | null; late?: number | null; absences: { studentId: string; kind: Kind; reason?: string | null }[] };

export function RegisterScreen({ groupId }: { groupId: string }) {
  const group = useQuery(GroupQuery, { groupId });
  const g = group.data?.group;
  const [period, setPeriod] = useState(1);
  const date = g ? todayIn(g.school.timeZone) : "";
  const lessonQuery = useQuery(LessonQuery, { groupId, date, period }, !g);
  const [changed, setChanged] = useState<LessonT>();
  const lesson: LessonT | null | undefined = changed ?? lessonQuery.data?.lesson;
  const report = useMutation(Report);
  const retract = useMutation(Retract);
  const complete = useMutation(Complete);
  const [marks, setMarks] = useState<Record<string, { kind: Kind; reason: string }>>({});
  const absent = new Map(lesson?.absences.map((a) => [a.studentId, a]));
  const done = lesson?.status === "COMPLETED";
  return (
    <main>
      <h1>Register{g ? `: ${g.name}` : ""}</h1>
      <Refusal message={group.error ?? lessonQuery.error ?? report.error ?? retract.error ?? complete.error} />
      {g && (
        <Section title={`${date}, period ${period}`} id="register-title">
          <label>
            Period
            <select
              value={period}
              onChange={(e) => {
                setChanged(undefined);
                setPeriod(Number((e.target as HTMLSelectElement).value));
              }}
            >
              {[1, 2, 3, 4, 5, 6, 7, 8].map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
          </label>
          <p aria-live="polite" data-lesson-status={lesson?.status ?? "NOT_STARTED"}>
            {!lesson ? "Not started: everyone counts as present until you mark someone." : done ? `Completed: ${lesson.present} present, ${lesson.absent} absent, ${lesson.late} late.` : `Open: ${lesson.absences.length} marked.`}
          </p>
          <ul class="roll">
            {g.roll.edges.map(({ node: r }) => {
              const a = absent.get(r.studentId);
              const mark = marks[r.studentId] ?? { kind: "UNEXCUSED" as Kind, reason: "" };
              const set = (m: Partial<typeof mark>) => setMarks({ ...marks, [r.studentId]: { ...mark, ...m } });
              return (
                <li key={r.studentId} data-pupil={r.student.name} data-marked={a?.kind ?? ""}>
                  <span class="name">{r.student.name}</span>
                  {a ? (
                    <>
                      <span class="badge">
                        {KINDS[a.kind]}
                        {a.reason ? `: ${a.reason}` : ""}
                      </span>
                      <button class="quiet" disabled={done} aria-label={`Undo the mark of ${r.student.name}`} onClick={async () => setChanged((await retract.run({ input: { groupId, date, period, studentIds: [r.studentId] } }))?.retractAbsence ?? changed)}>
                        Undo
                      </button>
                    </>
                  ) : (
                    <>
                      <label>
                        Kind
                        <select value={mark.kind} disabled={done} onChange={(e) => set({ kind: (e.target as HTMLSelectElement).value as Kind })}>
                          {Object.entries(KINDS).map(([k, w]) => (
                            <option key={k} value={k}>
                              {w}
                            </option>
                          ))}
                        </select>
                      </label>
                      <label>
                        Reason
                        <input value={mark.reason} disabled={done} onInput={(e) => set({ reason: (e.target as HTMLInputElement).value })} />
                      </label>
                      <button
                        disabled={done}
                        aria-label={`Mark ${r.student.name}`}
                        onClick={async () => {
                          const r2 = await report.run({ input: { groupId, date, period, absences: [{ studentId: r.studentId, kind: mark.kind, reason: mark.reason || undefined }] } });
                          if (r2) setChanged(r2.reportAbsence);
                        }}
                      >
                        Mark
                      </button>
                    </>
                  )}
                </li>
              );
            })}
          </ul>
          <button
            disabled={done || complete.busy}
            onClick={async () => {
              const r = await complete.run({ groupId, date, period });
              if (r) setChanged(r.completeLesson);
            }}
          >
            Complete the register
          </button>
        </Section>
      )}
    </main>
  );
}

const SchoolQuery = graphql(`
  query WebSchool($schoolId: ID!) {
    school(id: $schoolId) {
      id
      name
      timeZone
      groups(first: 100) {
        edges {
          node {
            id
            name
          }
        }
      }
    }
  }
`);

const OpenLessons = graphql(`
  query WebOpenLessons($schoolId: ID!, $date: String!) {
    openLessons(schoolId: $schoolId, date: $date) {
      ...WebOpenLesson
    }
  }
`);

graphql(`
  fragment WebOpenLesson on Lesson {
    id
    date
    period
    status
    absent
    absences {
      studentId
    }
    group {
      id
      name
    }
    takenBy {
      name
    }
  }
`);

const Changes = graphql(`
  subscription WebAttendanceChanged($schoolId: ID!) {
    attendanceChanged(schoolId: $schoolId) {
      action
      lesson {
        ...WebOpenLesson
      }
    }
  }
`);

const Stats = graphql(`
  query WebStats($scope: AttendanceScope!, $id: ID!, $from: String!, $to: String!) {
    attendanceStats(scope: $scope, id: $id, from: $from, to: $to) {
      lessons
      attendanceRate
      absenceRate
      unexcusedRate
      lateRate
    }
  }
`);

type OpenLesson = { id: string; date: string; period: number; status: string; absences: { studentId: string }[]; group: { id: string; name: string }; takenBy: { name: string } };

export function SchoolDashboard({ schoolId }: { schoolId: string }) {
  const school = useQuery(SchoolQuery, { schoolId }).data?.school;
  const date = school ? todayIn(school.timeZone) : "";
  const open = useQuery(OpenLessons, { schoolId, date }, !school);
  // The list read last (again after a reconnect), with the changes since applied: a COMPLETE
  // removes a register, anything else adds or replaces it.
  const [lessons, setLessons] = useState(new Map<string, OpenLesson>());
  useEffect(() => {
    if (open.data) setLessons(new Map(open.data.openLessons.map((l) => [l.id, l as OpenLesson])));
  }, [open.data]);
  const [statsTick, setStatsTick] = useState(0);
  useLive(
    Changes,
    { schoolId },
    (d) => {
      const c = d.attendanceChanged;
      if (c.lesson.date !== date) return;
      setLessons((current) => {
        const next = new Map(current);
        if (c.action === "COMPLETE" || c.lesson.status === "COMPLETED") next.delete(c.lesson.id);
        else next.set(c.lesson.id, c.lesson as OpenLesson);
        return next;
      });
      setStatsTick((t) => t + 1);
    },
    !school,
  );
  const list = [...lessons.values()].sort((a, b) => a.group.name.localeCompare(b.group.name) || a.period - b.period);
  return (
    <main>
      <h1>{school?.name ?? "School"}: today</h1>
      <Refusal message={open.error} />
      {school && (
        <>
          <Section title="Open registers">
            <p aria-live="polite" class="big" data-open-count={open.data ? list.length : ""}>
              {open.data ? `${list.length} open` : "Loading…"}
            </p>
            <ul class="links">
              {list.map((l) => (
                <li key={l.id}>
                  {l.group.name}, period {l.period}: taken by {l.takenBy.name}, {l.absences.length} marked
                </li>
              ))}
            </ul>
          </Section>
          <Section title="Today's rates">
            <table class="list">
              <thead>
                <tr>
                  <th scope="col">Who</th>
                  <th scope="col">Attendance</th>
                  <th scope="col">Absence</th>
                  <th scope="col">Unexcused</th>
                  <th scope="col">Late</th>
                </tr>
              </thead>
              <tbody aria-live="polite">
                <StatsRow label="Whole school" scope="SCHOOL" id={schoolId} date={date} tick={statsTick} />
                {school.groups.edges.map(({ node: g }) => (
                  <StatsRow key={g.id} label={g.name} scope="GROUP" id={g.id} date={date} tick={statsTick} />
                ))}
              </tbody>
            </table>
          </Section>
        </>
      )}
    </main>
  );
}

function StatsRow({ label, scope, id, date, tick }: { label: string; scope: "SCHOOL" | "GROUP"; id: string; date: string; tick: number }) {
  const query = useQuery(Stats, { scope, id, from: date, to: date });
  const { refetch } = query;
  useEffect(() => {
    if (tick) refetch();
  }, [tick, refetch]);
  const stats = query.data?.attendanceStats;
  return (
    <tr>
      <th scope="row">{label}</th>
      <td>{percent(stats?.attendanceRate)}</td>
      <td>{percent(stats?.absenceRate)}</td>
      <td>{percent(stats?.unexcusedRate)}</td>
      <td>{percent(stats?.lateRate)}</td>
    </tr>
  );
}
