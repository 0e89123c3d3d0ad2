// Home: what this account can open. Students: their courses (office hours, quizzes) and where help is
// on now; staff: the courses they run, their quizzes, their classes' registers and school dashboards;
// ADMIN and OBSERVER: every school's dashboard.
import { graphql } from "../gql";
import { useQuery } from "../hooks";
import { Link } from "../router";
import { Refusal, Section } from "../ui";
import type { Me } from "../App";

const StudentHome = graphql(`
  query WebStudentHome {
    myEnrollments {
      id
      status
      position
      course {
        id
        code
        title
      }
    }
    myOpenOfficeHours {
      courseId
      course {
        code
        title
      }
      staffOnDuty {
        staff {
          id
        }
      }
    }
    quizzes(first: 50, filter: {}) {
      edges {
        node {
          id
          title
          status
          mode
          course {
            code
          }
        }
      }
    }
  }
`);

const StaffHome = graphql(`
  query WebStaffHome($staffId: ID!) {
    courses(first: 50, filter: { staffId: $staffId }) {
      edges {
        node {
          id
          code
          title
          enrolledCount
          capacity
        }
      }
    }
    quizzes(first: 50) {
      edges {
        node {
          id
          title
          status
          mode
          course {
            code
          }
        }
      }
    }
    myGroups {
      id
      name
      school {
        id
        name
      }
    }
  }
`);

const Schools = graphql(`
  query WebSchools {
    schools(first: 50) {
      edges {
        node {
          id
          name
          region
        }
      }
    }
  }
`);

export function HomeScreen({ me }: { me: Me }) {
  return (
    <main>
      <h1>Hello, {me.name}</h1>
      {me.role === "STUDENT" ? <Student /> : me.role === "INSTRUCTOR" ? <Staff me={me} /> : <Oversight me={me} />}
    </main>
  );
}

function Student() {
  const { data, error } = useQuery(StudentHome, {});
  return (
    <>
      <Refusal message={error} />
      <Section title="My courses">
        <p>
          <Link to="/enrollment">Catalogue and my enrollments</Link>
        </p>
        <ul class="links">
          {data?.myEnrollments
            .filter((e) => e.status === "ENROLLED")
            .map((e) => (
              <li key={e.id}>
                {e.course.code} {e.course.title}: <Link to={`/office-hours/${e.course.id}`}>office hours</Link>
              </li>
            ))}
        </ul>
      </Section>
      <Section title="Help on now">
        {data?.myOpenOfficeHours.length === 0 && <p>No office hours are open in your courses now.</p>}
        <ul class="links">
          {data?.myOpenOfficeHours.map((o) => (
            <li key={o.courseId}>
              <Link to={`/office-hours/${o.courseId}`}>
                {o.course.code} {o.course.title}
              </Link>{" "}
              ({o.staffOnDuty.length} on duty)
            </li>
          ))}
        </ul>
      </Section>
      <Quizzes quizzes={data?.quizzes.edges.map((e) => e.node)} />
    </>
  );
}

function Staff({ me }: { me: Me }) {
  const { data, error } = useQuery(StaffHome, { staffId: me.id });
  return (
    <>
      <Refusal message={error} />
      <Section title="Courses I run">
        <ul class="links">
          {data?.courses.edges.map(({ node: c }) => (
            <li key={c.id}>
              {c.code} {c.title} ({c.enrolledCount}/{c.capacity}): <Link to={`/office-hours/${c.id}`}>office-hours console</Link>,{" "}
              <Link to={`/office-hours/${c.id}/board`}>public board</Link>
            </li>
          ))}
        </ul>
      </Section>
      <Quizzes quizzes={data?.quizzes.edges.map((e) => e.node)} host />
      <Section title="My classes">
        <ul class="links">
          {data?.myGroups.map((g) => (
            <li key={g.id}>
              <Link to={`/register/${g.id}`}>Register: {g.name}</Link> · <Link to={`/school/${g.school.id}`}>{g.school.name} dashboard</Link>
            </li>
          ))}
        </ul>
      </Section>
    </>
  );
}

function Oversight({ me }: { me: Me }) {
  const { data, error } = useQuery(Schools, {});
  return (
    <>
      <Refusal message={error} />
      <Section title="Schools">
        <ul class="links">
          {data?.schools.edges.map(({ node: s }) => (
            <li key={s.id}>
              <Link to={`/school/${s.id}`}>
                {s.name} ({s.region})
              </Link>
            </li>
          ))}
        </ul>
      </Section>
      {me.role === "ADMIN" && (
        <p>
          <Link to="/enrollment">Catalogue</Link>
        </p>
      )}
    </>
  );
}

type QuizRow = { id: string; title: string; status: string; mode: string; course: { code: string } };

function Quizzes({ quizzes, host }: { quizzes?: QuizRow[]; host?: boolean }) {
  return (
    <Section title={host ? "Quizzes I host" : "My quizzes"}>
      <ul class="links">
        {quizzes?.map((q) => (
          <li key={q.id}>
            <Link to={`/quiz/${q.id}`}>
              {q.course.code}: {q.title}
            </Link>{" "}
            ({q.mode.toLowerCase().replace("_", "-")}, {q.status.toLowerCase()}){host && <> · <Link to={`/quiz/${q.id}/projector`}>projector</Link></>}
          </li>
        ))}
      </ul>
    </Section>
  );
}
