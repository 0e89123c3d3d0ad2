// Log-in and sign-up: both answer an AuthPayload whose token the app keeps (session.ts).
import { useState } from "preact/hooks";
import { graphql } from "../gql";
import { useMutation } from "../hooks";
import { Refusal } from "../ui";

const LogIn = graphql(`
  mutation WebLogIn($email: String!, $password: String!) {
    logIn(email: $email, password: $password) {
      token
      expiresAt
    }
  }
`);

const SignUp = graphql(`
  mutation WebSignUp($input: SignUpInput!) {
    signUp(input: $input) {
      token
      expiresAt
    }
  }
`);

export function AuthScreen({ onToken }: { onToken: (token: string) => void }) {
  const [mode, setMode] = useState<"login" | "signup">("login");
  const logIn = useMutation(LogIn);
  const signUp = useMutation(SignUp);
  const [form, setForm] = useState({ email: "", password: "", name: "", role: "STUDENT" as "STUDENT" | "INSTRUCTOR", sex: "" });
  const field = (k: keyof typeof form) => (e: Event) => setForm({ ...form, [k]: (e.target as HTMLInputElement).value });

  async function submit(e: Event) {
    e.preventDefault();
    if (mode === "login") {
      const r = await logIn.run({ email: form.email, password: form.password });
      if (r) onToken(r.logIn.token);
    } else {
      const sex = form.sex === "FEMALE" || form.sex === "MALE" ? form.sex : undefined;
      const r = await signUp.run({ input: { email: form.email, password: form.password, name: form.name, role: form.role, sex } });
      if (r) onToken(r.signUp.token);
    }
  }

  return (
    <main class="auth">
      <h1>Campus Live</h1>
      <div role="tablist" aria-label="Log in or sign up" class="tabs">
        <button role="tab" aria-selected={mode === "login"} onClick={() => setMode("login")}>
          Log in
        </button>
        <button role="tab" aria-selected={mode === "signup"} onClick={() => setMode("signup")}>
          Sign up
        </button>
      </div>
      <form onSubmit={submit} class="card stack">
        <label>
          E-mail
          <input type="email" name="email" autoComplete="username" required value={form.email} onInput={field("email")} />
        </label>
        <label>
          Password
          <input type="password" name="password" autoComplete={mode === "login" ? "current-password" : "new-password"} required minLength={8} value={form.password} onInput={field("password")} />
        </label>
        {mode === "signup" && (
          <>
            <label>
              Name
              <input name="name" autoComplete="name" required value={form.name} onInput={field("name")} />
            </label>
            <label>
              I am
              <select name="role" value={form.role} onChange={field("role")}>
                <option value="STUDENT">a student</option>
                <option value="INSTRUCTOR">an instructor or TA</option>
              </select>
            </label>
            <label>
              Sex (only for sex-restricted courses; optional)
              <select name="sex" value={form.sex} onChange={field("sex")}>
                <option value="">not given</option>
                <option value="FEMALE">female</option>
                <option value="MALE">male</option>
              </select>
            </label>
          </>
        )}
        <button type="submit" disabled={logIn.busy || signUp.busy}>
          {mode === "login" ? "Log in" : "Create account"}
        </button>
        <Refusal message={mode === "login" ? logIn.error : signUp.error} />
      </form>
    </main>
  );
}
