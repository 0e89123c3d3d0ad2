// The pure rules of office hours: the wait estimate and the statistics, at their edges.
import { Types } from "mongoose";
import { DEFAULT_MEETING_SECONDS, estimateWait, percentile } from "../../src/domain/officeHours/estimate";
import { computeStats, NOTE, summarize } from "../../src/domain/officeHours/stats";
import type { Transition } from "../../src/models/officeHours";

describe("estimateWait", () => {
  it("is null while nobody is on duty", () => {
    expect(estimateWait(1, 0, [600])).toBeNull();
  });

  it("assumes 5-minute meetings until the course has its own", () => {
    expect(estimateWait(1, 1, [])).toEqual({ minSeconds: 0, maxSeconds: DEFAULT_MEETING_SECONDS, staffOnDuty: 1, basedOnMeetings: 0 });
    expect(estimateWait(3, 1, [])).toEqual({ minSeconds: 600, maxSeconds: 900, staffOnDuty: 1, basedOnMeetings: 0 });
  });

  it("serves those ahead in rounds of the staff on duty, short meetings at best, long ones at worst", () => {
    const recent = [60, 120, 180, 240, 300, 360, 420, 480]; // q25 = 120, q75 = 360
    expect(estimateWait(1, 2, recent)).toMatchObject({ minSeconds: 0, maxSeconds: 360 });
    expect(estimateWait(2, 2, recent)).toMatchObject({ minSeconds: 0, maxSeconds: 360 });
    expect(estimateWait(3, 2, recent)).toMatchObject({ minSeconds: 120, maxSeconds: 720 });
    expect(estimateWait(5, 2, recent)).toMatchObject({ minSeconds: 240, maxSeconds: 1080, basedOnMeetings: 8 });
  });

  it("never shrinks when someone moves back in line and ignores bad durations", () => {
    const recent = [100, 200, -5, Number.NaN];
    const ranges = [1, 2, 3, 4, 5, 6].map((p) => estimateWait(p, 1, recent)!);
    for (let i = 1; i < ranges.length; i++) {
      expect(ranges[i].minSeconds).toBeGreaterThanOrEqual(ranges[i - 1].minSeconds);
      expect(ranges[i].maxSeconds).toBeGreaterThan(ranges[i - 1].maxSeconds);
      expect(ranges[i].minSeconds).toBeLessThanOrEqual(ranges[i].maxSeconds);
    }
    expect(ranges[0].basedOnMeetings).toBe(2);
  });

  it("percentile is nearest-rank", () => {
    expect(percentile([], 0.5)).toBe(0);
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(percentile([1, 2, 3, 4], 0.75)).toBe(3);
    expect(percentile([1, 2, 3, 4], 1)).toBe(4);
    expect(percentile([7], 0)).toBe(7);
  });
});

describe("computeStats", () => {
  const ta = new Types.ObjectId();
  const prof = new Types.ObjectId();
  const student = new Types.ObjectId();
  const t0 = Date.parse("2026-11-23T10:00:00Z");
  const at = (s: number) => new Date(t0 + s * 1000);
  const step = (status: Transition["status"], s: number, actor: Types.ObjectId | null, note: string | null = null): Transition => ({ status, at: at(s), actor, note });

  it("counts outcomes, waits to the first invite, meeting lengths and no-shows per staff member", () => {
    const stats = computeStats([
      // Helped by the TA after 60 s, a 300 s meeting.
      { status: "DONE", joinedAt: at(0), history: [step("WAITING", 0, student), step("INVITED", 60, ta), step("IN_MEETING", 90, student), step("DONE", 390, ta)] },
      // Missed the professor's invite, re-queued, then helped by the TA: 120 s meeting; wait to first invite 30 s.
      {
        status: "DONE",
        joinedAt: at(0),
        history: [
          step("WAITING", 0, student),
          step("INVITED", 30, prof),
          step("EXPIRED", 330, null, NOTE.inviteExpired),
          step("WAITING", 330, null, NOTE.requeued),
          step("INVITED", 400, ta),
          step("IN_MEETING", 410, student),
          step("DONE", 530, ta),
        ],
      },
      // Waited too long: not a no-show.
      { status: "EXPIRED", joinedAt: at(0), history: [step("WAITING", 0, student), step("EXPIRED", 3600, null, NOTE.maxWait)] },
      { status: "WITHDRAWN", joinedAt: at(0), history: [step("WAITING", 0, student), step("WITHDRAWN", 10, student)] },
      { status: "WAITING", joinedAt: at(0), history: [step("WAITING", 0, student)] },
    ]);
    expect(stats).toMatchObject({ joined: 5, helped: 2, expired: 1, withdrawn: 1, removed: 0, invites: 3, noShows: 1, noShowRate: 0.333 });
    expect(stats.wait).toEqual({ count: 2, averageSeconds: 45, medianSeconds: 30, p90Seconds: 60, maxSeconds: 60 });
    expect(stats.meeting).toMatchObject({ count: 2, averageSeconds: 210, maxSeconds: 300 });
    expect(stats.perStaff).toEqual([
      { staffId: ta.toHexString(), invites: 2, meetings: 2, noShows: 0, noShowRate: 0, meeting: summarize([300, 120]) },
      { staffId: prof.toHexString(), invites: 1, meetings: 0, noShows: 1, noShowRate: 1, meeting: summarize([]) },
    ]);
  });

  it("is all zeros for no entries", () => {
    expect(computeStats([])).toMatchObject({ joined: 0, invites: 0, noShowRate: 0, wait: { count: 0, averageSeconds: 0 }, perStaff: [] });
  });
});
