// Text for logs and messages: what may be shown of a connection URL, the first line of an error.

/** The URL without its credentials ("//user:pass@" becomes "//***@"). */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]+)@/, "//***@");
}

/** The first line of an error's message (or of anything thrown). */
export function firstLine(e: unknown): string {
  return String(e instanceof Error ? e.message : e).split("\n")[0];
}
