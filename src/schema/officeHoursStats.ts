// The API's office-hours statistics: durations, per-staff shares and their presenter.
import { Field, Float, Int, ObjectType } from "type-graphql";
import type { DurationSummary as DurationSummaryView, OfficeHoursStatsView } from "../domain/officeHours/stats";
import type { OfficeHoursRelations } from "./officeHours";
import { User } from "./user";

@ObjectType({ description: "Durations, in seconds, of a set of waits or meetings" })
export class DurationSummary {
  @Field(() => Int, { description: "How many" })
  count: number;

  @Field(() => Float, { description: "Mean (0 when count is 0)" })
  averageSeconds: number;

  @Field(() => Float, { description: "Median (0 when count is 0)" })
  medianSeconds: number;

  @Field(() => Float, { description: "90th percentile (0 when count is 0)" })
  p90Seconds: number;

  @Field(() => Float, { description: "Longest (0 when count is 0)" })
  maxSeconds: number;
}

@ObjectType({ description: "One staff member's share of a course's office hours" })
export class StaffOfficeHoursStats {
  @Field(() => User, { description: "Who" })
  staff: Promise<User | null>;

  @Field(() => Int, { description: "Invites they sent" })
  invites: number;

  @Field(() => Int, { description: "Meetings they held" })
  meetings: number;

  @Field(() => Int, { description: "Their invites that expired unanswered" })
  noShows: number;

  @Field(() => Float, { description: "noShows / invites (0 without invites)" })
  noShowRate: number;

  @Field(() => DurationSummary, { description: "Lengths of their meetings" })
  meeting: DurationSummaryView;
}

@ObjectType({ description: "Entries that joined within [from, to)" })
export class OfficeHoursStats {
  @Field(() => Int, { description: "Entries that joined" })
  joined: number;

  @Field(() => Int, { description: "Entries whose meeting took place (DONE)" })
  helped: number;

  @Field(() => Int, { description: "Entries that EXPIRED (invite unanswered, or waited past the maximum wait)" })
  expired: number;

  @Field(() => Int, { description: "Entries the student WITHDREW (leaveQueue)" })
  withdrawn: number;

  @Field(() => Int, { description: "Entries staff REMOVED" })
  removed: number;

  @Field(() => Int, { description: "Invites sent" })
  invites: number;

  @Field(() => Int, { description: "Invites that expired unanswered" })
  noShows: number;

  @Field(() => Float, { description: "noShows / invites (0 without invites)" })
  noShowRate: number;

  @Field(() => DurationSummary, { description: "From joining to the first invite" })
  wait: DurationSummaryView;

  @Field(() => DurationSummary, { description: "From accepting to the end of the meeting" })
  meeting: DurationSummaryView;

  @Field(() => [StaffOfficeHoursStats], { description: "The same, per staff member" })
  perStaff: StaffOfficeHoursStats[];
}

export function toOfficeHoursStats(v: OfficeHoursStatsView, related: OfficeHoursRelations): OfficeHoursStats {
  return {
    ...v,
    perStaff: v.perStaff.map((s) => ({
      get staff() {
        return related.user(s.staffId);
      },
      invites: s.invites,
      meetings: s.meetings,
      noShows: s.noShows,
      noShowRate: s.noShowRate,
      meeting: s.meeting,
    })),
  };
}
