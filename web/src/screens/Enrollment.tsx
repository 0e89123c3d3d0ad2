// Enrollment: the catalogue with live seat counts (courseSeatsChanged on every row in view), enroll
// (a seat or a waitlist place), and my enrollments: drop, switch, waitlist positions moving live.
// Positions: the student's own feed (myEnrollmentChanged) carries promotions and drops; places
// moving up because others left come from courseSeatsChanged of each waitlisted course, after which
// myEnrollments is read again (docs/screens.md, "Waitlist positions").
import { useState } from "preact/hooks";
import { graphql } from "../gql";
import { useLive, useMutation, useQuery, type QueryState } from "../hooks";
import type { ResultOf } from "@graphql-typed-document-node/core";
import { Refusal, Section } from "../ui";
import type { Me } from "../App";

const Catalogue = graphql(`
  query WebCatalogue($search: String, $after: String) {
    courses(first: 20, after: $after, filter: { search: $search }) {
      edges {
        node {
          id
          code
          title
          units
          price
          seatsLeft
          waitlistCount
          capacity
          enrolledCount
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const Seats = graphql(`
  subscription WebSeats($courseId: ID!) {
    courseSeatsChanged(courseId: $courseId) {
      courseId
      capacity
      enrolledCount
      waitlistCount
      seatsLeft
    }
  }
`);

const Mine = graphql(`
  query WebMyEnrollments {
    myEnrollments {
      id
      status
      position
      pricePaid
      course {
        id
        code
        title
        units
      }
    }
    myEnrollmentProfile {
      maxUnits
      remainingChanges
      enrollmentStartsAt
    }
  }
`);

const MineChanged = graphql(`
  subscription WebMyEnrollmentChanged {
    myEnrollmentChanged {
      id
      status
      position
      course {
        id
      }
    }
  }
`);

const Enroll = graphql(`
  mutation WebEnroll($courseId: ID!) {
    enroll(courseId: $courseId) {
      id
      status
      position
    }
  }
`);

const Drop = graphql(`
  mutation WebDrop($courseId: ID!) {
    disenroll(courseId: $courseId) {
      id
      status
    }
  }
`);

const Switch = graphql(`
  mutation WebSwitch($from: ID!, $to: ID!) {
    switchCourse(fromCourseId: $from, toCourseId: $to) {
      dropped {
        id
      }
      enrolled {
        id
        status
        position
      }
    }
  }
`);

type CourseRow = { id: string; code: string; title: string; units: number; price: number; seatsLeft: number; waitlistCount: number; capacity: number; enrolledCount: number };

export function EnrollmentScreen({ me }: { me: Me }) {
  const [search, setSearch] = useState("");
  const [applied, setApplied] = useState("");
  const [after, setAfter] = useState<string | undefined>();
  const catalogue = useQuery(Catalogue, { search: applied || undefined, after });
  const mine = useQuery(Mine, {}, me.role !== "STUDENT");
  useLive(MineChanged, {}, () => mine.refetch(), me.role !== "STUDENT");
  const courses = catalogue.data?.courses.edges.map((e) => e.node) ?? [];
  const held = new Map(mine.data?.myEnrollments.filter((e) => e.status !== "DROPPED").map((e) => [e.course.id, e]));

  return (
    <main>
      <h1>Enrollment</h1>
      <Section title="Catalogue">
        <form
          class="row"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            setAfter(undefined);
            setApplied(search);
          }}
        >
          <label>
            Search courses
            <input type="search" value={search} onInput={(e) => setSearch((e.target as HTMLInputElement).value)} />
          </label>
          <button type="submit">Search</button>
        </form>
        <Refusal message={catalogue.error} />
        <table class="list">
          <caption class="sr-only">Courses, seats updated live</caption>
          <thead>
            <tr>
              <th scope="col">Course</th>
              <th scope="col">Units</th>
              <th scope="col">Price</th>
              <th scope="col">Seats left</th>
              <th scope="col">Waitlist</th>
              <th scope="col">
                <span class="sr-only">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {courses.map((c) => (
              <CatalogueRow key={c.id} course={c} held={held.get(c.id)?.status} canEnroll={me.role === "STUDENT"} onChange={mine.refetch} />
            ))}
          </tbody>
        </table>
        {catalogue.data?.courses.pageInfo.hasNextPage && <button onClick={() => setAfter(catalogue.data!.courses.pageInfo.endCursor ?? undefined)}>Next page</button>}
      </Section>
      {me.role === "STUDENT" && <MyEnrollments mine={mine} courses={courses} />}
    </main>
  );
}

function CatalogueRow({ course, held, canEnroll, onChange }: { course: CourseRow; held?: string; canEnroll: boolean; onChange: () => void }) {
  const live = useLive(Seats, { courseId: course.id }).data?.courseSeatsChanged;
  const seats = live ?? course;
  const enroll = useMutation(Enroll);
  return (
    <tr data-course={course.code}>
      <th scope="row">
        {course.code} <span class="muted">{course.title}</span>
      </th>
      <td>{course.units}</td>
      <td>{course.price.toFixed(2)}</td>
      <td data-seats-left={seats.seatsLeft} aria-live="polite">
        {seats.seatsLeft} of {seats.capacity}
      </td>
      <td data-waitlist={seats.waitlistCount}>{seats.waitlistCount}</td>
      <td>
        {held ? (
          <span class="badge">{held === "ENROLLED" ? "Enrolled" : "Waitlisted"}</span>
        ) : (
          canEnroll && (
            <button
              aria-label={`${seats.seatsLeft > 0 ? "Enroll in" : "Join the waitlist of"} ${course.code}`}
              disabled={enroll.busy}
              onClick={async () => {
                if (await enroll.run({ courseId: course.id })) onChange();
              }}
            >
              {seats.seatsLeft > 0 ? "Enroll" : "Join waitlist"}
            </button>
          )
        )}
        <Refusal message={enroll.error} />
      </td>
    </tr>
  );
}

function MyEnrollments({ mine, courses }: { mine: QueryState<ResultOf<typeof Mine>>; courses: CourseRow[] }) {
  const drop = useMutation(Drop);
  const change = useMutation(Switch);
  const [target, setTarget] = useState<Record<string, string>>({});
  const list = mine.data?.myEnrollments.filter((e) => e.status !== "DROPPED") ?? [];
  const profile = mine.data?.myEnrollmentProfile;
  return (
    <Section title="My enrollments">
      {profile && (
        <p>
          Up to {profile.maxUnits} units; {profile.remainingChanges} course changes left.
        </p>
      )}
      <Refusal message={mine.error ?? drop.error ?? change.error} />
      {list.length === 0 && <p>You are not enrolled in any course.</p>}
      <ul class="enrollments" aria-live="polite">
        {list.map((e) => (
          <li key={e.id} data-enrollment={e.course.code} data-status={e.status} data-position={e.position ?? ""}>
            {e.status === "WAITLISTED" && <WaitlistWatch courseId={e.course.id} onMove={mine.refetch} />}
            <span class="course">
              <strong>{e.course.code}</strong> {e.course.title}: <span class="status">{e.status === "ENROLLED" ? "enrolled" : `waitlisted, position ${e.position}`}</span>
            </span>
            <button
              aria-label={`Drop ${e.course.code}`}
              onClick={async () => {
                if (await drop.run({ courseId: e.course.id })) mine.refetch();
              }}
            >
              Drop
            </button>
            <label>
              Switch to
              <select value={target[e.id] ?? ""} onChange={(ev) => setTarget({ ...target, [e.id]: (ev.target as HTMLSelectElement).value })}>
                <option value="">choose a course</option>
                {courses
                  .filter((c) => c.id !== e.course.id)
                  .map((c) => (
                    <option key={c.id} value={c.id}>
                      {c.code}
                    </option>
                  ))}
              </select>
            </label>
            <button
              disabled={!target[e.id]}
              aria-label={`Switch ${e.course.code}`}
              onClick={async () => {
                if (await change.run({ from: e.course.id, to: target[e.id] })) mine.refetch();
              }}
            >
              Switch
            </button>
          </li>
        ))}
      </ul>
    </Section>
  );
}

/** Reads my enrollments again when the counts of a course I wait for change (my place may have moved). */
function WaitlistWatch({ courseId, onMove }: { courseId: string; onMove: () => void }) {
  useLive(Seats, { courseId }, onMove);
  return null;
}
