// Shared pieces: the connection banner (an aria-live status), refusals, countdowns, times.
import type { ComponentChildren } from "preact";
import { useConnection, useNow } from "./hooks";

export function ConnectionBanner() {
  const state = useConnection();
  return (
    <p class={`connection connection-${state}`} role="status" aria-live="polite" data-connection={state}>
      {state === "connected" ? "Live" : state === "reconnecting" ? "Connection lost: reconnecting…" : "Connecting…"}
    </p>
  );
}

/** A refusal or failure, announced to screen readers. */
export function Refusal({ message }: { message?: string }) {
  return (
    <p class="refusal" role="alert" hidden={!message}>
      {message}
    </p>
  );
}

export function Section({ title, children, id }: { title: string; children: ComponentChildren; id?: string }) {
  return (
    <section aria-labelledby={id ?? slug(title)} class="card">
      <h2 id={id ?? slug(title)}>{title}</h2>
      {children}
    </section>
  );
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, "-");

/** Seconds left until `until` (ISO), ticking; "expired" once past. */
export function Countdown({ until, label }: { until: string; label: string }) {
  const now = useNow(250);
  const left = Math.max(0, Math.ceil((Date.parse(until) - now) / 1000));
  return (
    <span class="countdown" data-seconds-left={left}>
      {label}: {left > 0 ? `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}` : "expired"}
    </span>
  );
}

export function duration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const m = Math.round(seconds / 60);
  return m < 60 ? `${m} min` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

export const percent = (rate?: number | null) => (rate == null ? "–" : `${(rate * 100).toFixed(1)} %`);

/** Today as YYYY-MM-DD in a school's time zone (registers and rates use the school's calendar). */
export function todayIn(timeZone: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
}
