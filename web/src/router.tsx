// A few routes under /app/ with the History API; the server answers index.html for every /app/ path.
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";

export const BASE = "/app";

const listeners = new Set<() => void>();
window.addEventListener("popstate", () => listeners.forEach((l) => l()));

export function navigate(path: string): void {
  history.pushState(null, "", BASE + path);
  listeners.forEach((l) => l());
}

/** The path inside the app ("/", "/enrollment", "/quiz/123/projector") and its query string. */
export function useRoute(): { path: string; query: URLSearchParams } {
  const read = () => ({ path: location.pathname.slice(BASE.length).replace(/\/$/, "") || "/", query: new URLSearchParams(location.search) });
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const l = () => setRoute(read());
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  return route;
}

export function Link({ to, children, class: cls }: { to: string; children: ComponentChildren; class?: string }) {
  return (
    <a
      href={BASE + to}
      class={cls}
      onClick={(e) => {
        if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}

/** Matches "/quiz/:id/projector"-style patterns; returns the parameters or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split("/");
  const s = path.split("/");
  if (p.length !== s.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(":")) params[p[i].slice(1)] = decodeURIComponent(s[i]);
    else if (p[i] !== s[i]) return null;
  }
  return params;
}
