// The shell: signed out, the log-in screen; signed in, a header (who, navigation, connection state)
// and the screen of the current route.
import { graphql } from "./gql";
import { useQuery } from "./hooks";
import { BASE, Link, match, useRoute } from "./router";
import { session } from "./session";
import { ConnectionBanner, Refusal } from "./ui";
import { AuthScreen } from "./screens/Auth";
import { HomeScreen } from "./screens/Home";
import { EnrollmentScreen } from "./screens/Enrollment";
import { OfficeHoursBoard, OfficeHoursScreen } from "./screens/OfficeHours";
import { ProjectorScreen, QuizScreen } from "./screens/Quiz";
import { RegisterScreen, SchoolDashboard } from "./screens/Attendance";

const MeQuery = graphql(`
  query WebMe {
    me {
      id
      name
      role
      email
    }
  }
`);

export type Me = { id: string; name: string; role: "STUDENT" | "INSTRUCTOR" | "ADMIN" | "OBSERVER"; email?: string | null };

export function App() {
  // Logging in or out starts the app again: a new socket with the new token, an empty cache.
  const signIn = (token: string | null) => {
    session.token = token;
    if (token) location.reload();
    else location.assign(`${BASE}/`);
  };
  if (!session.token) return <AuthScreen onToken={signIn} />;
  return <SignedIn onLogOut={() => signIn(null)} />;
}

function SignedIn({ onLogOut }: { onLogOut: () => void }) {
  const { data, error } = useQuery(MeQuery, {});
  const { path } = useRoute();
  const me = data?.me as Me | null | undefined;
  if (error || data?.me === null) {
    return (
      <main>
        <Refusal message={error ?? "Your session has ended."} />
        <button onClick={onLogOut}>Log in again</button>
      </main>
    );
  }
  if (!me) return <p role="status">Loading…</p>;
  const projector = path.endsWith("/projector") || path.endsWith("/board");
  return (
    <div class={projector ? "projector" : ""}>
      <header class="top">
        <nav aria-label="Main">
          <Link to="/">Home</Link>
          {(me.role === "STUDENT" || me.role === "ADMIN") && <Link to="/enrollment">Enrollment</Link>}
        </nav>
        <ConnectionBanner />
        <span class="who">
          {me.name} ({me.role.toLowerCase()})
        </span>
        <button onClick={onLogOut}>Log out</button>
      </header>
      <Screen path={path} me={me} />
    </div>
  );
}

function Screen({ path, me }: { path: string; me: Me }) {
  let p: Record<string, string> | null;
  if (path === "/") return <HomeScreen me={me} />;
  if (path === "/enrollment") return <EnrollmentScreen me={me} />;
  if ((p = match("/office-hours/:courseId/board", path))) return <OfficeHoursBoard courseId={p.courseId} />;
  if ((p = match("/office-hours/:courseId", path))) return <OfficeHoursScreen courseId={p.courseId} me={me} />;
  if ((p = match("/quiz/:quizId/projector", path))) return <ProjectorScreen quizId={p.quizId} />;
  if ((p = match("/quiz/:quizId", path))) return <QuizScreen quizId={p.quizId} me={me} />;
  if ((p = match("/register/:groupId", path))) return <RegisterScreen groupId={p.groupId} />;
  if ((p = match("/school/:schoolId", path))) return <SchoolDashboard schoolId={p.schoolId} />;
  return (
    <main>
      <h1>Not found</h1>
      <Link to="/">Home</Link>
    </main>
  );
}
