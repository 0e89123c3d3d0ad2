// Office-hours statistics from the entries' audit trails: pure, so they are unit-tested.
import type { QueueEntryStatus, Transition } from "../../models/officeHours";
import { percentile } from "./estimate";

/** Notes on transitions that statistics tell apart (the rest of a trail is its statuses). */
export const NOTE = {
  inviteExpired: "INVITE_EXPIRED",
  maxWait: "MAX_WAIT",
  requeued: "REQUEUED",
  declined: "DECLINED",
} as const;

export interface DurationSummary {
  count: number;
  averageSeconds: number;
  medianSeconds: number;
  p90Seconds: number;
  maxSeconds: number;
}

export interface StaffStats {
  staffId: string;
  invites: number;
  meetings: number;
  noShows: number;
  noShowRate: number;
  meeting: DurationSummary;
}

export interface OfficeHoursStatsView {
  joined: number;
  helped: number;
  expired: number;
  withdrawn: number;
  removed: number;
  invites: number;
  noShows: number;
  /** Expired invites / invites (0 without invites). */
  noShowRate: number;
  /** From joining to the first invite. */
  wait: DurationSummary;
  /** From accepting to the end of the meeting. */
  meeting: DurationSummary;
  perStaff: StaffStats[];
}

export interface EntryTrail {
  status: QueueEntryStatus;
  joinedAt: Date;
  history: Transition[];
}

export function summarize(seconds: number[]): DurationSummary {
  const sorted = [...seconds].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    count: sorted.length,
    averageSeconds: sorted.length ? round(sorted.reduce((s, v) => s + v, 0) / sorted.length) : 0,
    medianSeconds: round(percentile(sorted, 0.5)),
    p90Seconds: round(percentile(sorted, 0.9)),
    maxSeconds: round(sorted.at(-1) ?? 0),
  };
}

const ratio = (n: number, d: number) => (d === 0 ? 0 : Math.round((n / d) * 1000) / 1000);

export function computeStats(entries: EntryTrail[]): OfficeHoursStatsView {
  const waits: number[] = [];
  const meetings: number[] = [];
  const staff = new Map<string, { invites: number; noShows: number; meetings: number[] }>();
  const of = (id: string) => {
    let s = staff.get(id);
    if (!s) staff.set(id, (s = { invites: 0, noShows: 0, meetings: [] }));
    return s;
  };
  let invites = 0;
  let noShows = 0;
  const finals = { DONE: 0, EXPIRED: 0, WITHDRAWN: 0, REMOVED: 0 } as Record<string, number>;

  for (const entry of entries) {
    if (entry.status in finals) finals[entry.status]++;
    let firstInvite: Date | null = null;
    let inviter: string | null = null;
    let meetingStart: { at: Date; staff: string | null } | null = null;
    for (const t of entry.history) {
      if (t.status === "INVITED") {
        invites++;
        inviter = t.actor ? t.actor.toHexString() : null;
        if (inviter) of(inviter).invites++;
        firstInvite ??= t.at;
      } else if (t.status === "EXPIRED" && t.note === NOTE.inviteExpired) {
        noShows++;
        if (inviter) of(inviter).noShows++;
      } else if (t.status === "IN_MEETING") {
        meetingStart = { at: t.at, staff: inviter };
      } else if (t.status === "DONE" && meetingStart) {
        const seconds = (t.at.getTime() - meetingStart.at.getTime()) / 1000;
        meetings.push(seconds);
        if (meetingStart.staff) of(meetingStart.staff).meetings.push(seconds);
      }
    }
    if (firstInvite) waits.push((firstInvite.getTime() - entry.joinedAt.getTime()) / 1000);
  }

  return {
    joined: entries.length,
    helped: finals.DONE,
    expired: finals.EXPIRED,
    withdrawn: finals.WITHDRAWN,
    removed: finals.REMOVED,
    invites,
    noShows,
    noShowRate: ratio(noShows, invites),
    wait: summarize(waits),
    meeting: summarize(meetings),
    perStaff: [...staff.entries()]
      .map(([staffId, s]) => ({
        staffId,
        invites: s.invites,
        meetings: s.meetings.length,
        noShows: s.noShows,
        noShowRate: ratio(s.noShows, s.invites),
        meeting: summarize(s.meetings),
      }))
      .sort((a, b) => b.meetings - a.meetings || a.staffId.localeCompare(b.staffId)),
  };
}
