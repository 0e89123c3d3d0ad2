// Steady mixed traffic for fault tests: one loop per operation kind, each request timed and its
// outcome recorded ("ok", a domain answer, or "CODE:REASON"), so a test can say what happened
// before, during and after an outage.
import { errorOf, type GqlResponse } from "./client";

export interface Sample {
  op: string;
  /** When the request was sent and how long it took (ms since the epoch, ms). */
  start: number;
  ms: number;
  /** "ok", "CODE:REASON", "HUNG" (no answer within the hang limit) or "NETWORK: ..." (no HTTP answer). */
  outcome: string;
}

/** One request of an operation kind; resolves with the response it got. */
export type Operation = () => Promise<GqlResponse<unknown>>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Traffic {
  readonly samples: Sample[] = [];
  private running = false;
  private loops: Promise<void>[] = [];

  /** `pauseMs` between two requests of one loop; a request unanswered after `hangMs` counts as HUNG. */
  constructor(
    private readonly ops: Record<string, Operation>,
    private readonly opts: { pauseMs?: number; hangMs?: number } = {},
  ) {}

  start(): void {
    this.running = true;
    this.loops = Object.entries(this.ops).map(([name, op]) => this.loop(name, op));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  /** Samples sent in [from, to). */
  between(from: number, to: number): Sample[] {
    return this.samples.filter((s) => s.start >= from && s.start < to);
  }

  private async loop(name: string, op: Operation): Promise<void> {
    const hangMs = this.opts.hangMs ?? 10_000;
    while (this.running) {
      const start = Date.now();
      let timer: NodeJS.Timeout | undefined;
      const hung = new Promise<string>((resolve) => (timer = setTimeout(() => resolve("HUNG"), hangMs)));
      const answered = op().then(
        (r) => {
          if (r.data && !r.errors) return "ok";
          const { code, reason } = errorOf(r);
          return `${String(code)}:${String(reason)}`;
        },
        (e: unknown) => `NETWORK: ${e instanceof Error ? e.message : String(e)}`,
      );
      const outcome = await Promise.race([answered, hung]);
      clearTimeout(timer);
      this.samples.push({ op: name, start, ms: Date.now() - start, outcome });
      await sleep(this.opts.pauseMs ?? 50);
    }
  }
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
