// The process's logger: pino, one JSON line per event on stdout, passwords and Authorization headers
// redacted.
import pino from "pino";

export type Logger = pino.Logger;

/** Structured JSON logs on stdout; one line per event, the server's lines about a request carry its `requestId`. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: ["req.headers.authorization", "*.password", "password"], censor: "[redacted]" },
  });
}
