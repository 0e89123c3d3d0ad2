// The enrollment engine's durable copy (`enrollments`, `enrollmentprofiles`), written from its log: one
// document per (course, student) (a unique key), and `version` orders each document's changes, so an
// older version never overwrites a newer one.
import "./plugins";
import { Schema, model, type Types } from "mongoose";

export const ENROLLMENT_STATUSES = ["ENROLLED", "WAITLISTED", "DROPPED"] as const;
export type EnrollmentStatus = (typeof ENROLLMENT_STATUSES)[number];

/**
 * The durable copy of the enrollment engine's state, one document per (course, student), written in
 * batches from the enrollment log. `version` orders the changes of one document.
 */
const enrollmentSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    course: { type: Schema.Types.ObjectId, required: true },
    student: { type: Schema.Types.ObjectId, required: true },
    status: { type: String, enum: ENROLLMENT_STATUSES, required: true },
    version: { type: Number, required: true },
    /** Order in the waitlist (and of every change): the engine's global sequence. */
    seq: { type: Number, required: true },
    pricePaid: { type: Number, default: 0 },
    lastChangeBy: { type: Schema.Types.ObjectId, default: null },
    lastChange: { type: String, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false },
);
enrollmentSchema.index({ course: 1, student: 1 }, { unique: true });
enrollmentSchema.index({ student: 1 });
enrollmentSchema.index({ course: 1, status: 1 });

export interface EnrollmentDoc {
  _id: Types.ObjectId;
  course: Types.ObjectId;
  student: Types.ObjectId;
  status: EnrollmentStatus;
  version: number;
  seq: number;
  pricePaid: number;
  lastChangeBy: Types.ObjectId | null;
  lastChange: string;
  createdAt: Date;
  updatedAt: Date;
}
export const EnrollmentModel = model("Enrollment", enrollmentSchema);

/** A student's enrollment profile; `version` orders its changes (written from the log too). */
const profileSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    maxUnits: { type: Number, required: true },
    enrollmentStartsAt: { type: Date, default: null },
    remainingChanges: { type: Number, required: true },
    version: { type: Number, required: true },
  },
  { versionKey: false, collection: "enrollmentprofiles" },
);

export interface EnrollmentProfileDoc {
  _id: Types.ObjectId;
  maxUnits: number;
  enrollmentStartsAt: Date | null;
  remainingChanges: number;
  version: number;
}
export const EnrollmentProfileModel = model("EnrollmentProfile", profileSchema);
