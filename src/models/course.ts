// The course catalogue (`courses`): one course per code (a unique key); the other indexes serve the
// catalogue's filters and the lookup of a person's courses.
import "./plugins";
import { Schema, model, type InferSchemaType, type Types } from "mongoose";

export const SEX_RESTRICTIONS = ["NONE", "FEMALE_ONLY", "MALE_ONLY"] as const;
export type SexRestriction = (typeof SEX_RESTRICTIONS)[number];
export const WEEKDAYS = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const meetingSchema = new Schema(
  {
    day: { type: String, enum: WEEKDAYS, required: true },
    /** "HH:MM", 24-hour clock. */
    start: { type: String, required: true },
    end: { type: String, required: true },
  },
  { _id: false },
);

/** The values of the optional fields when none is given (or null is). */
export const COURSE_DEFAULTS = { description: "", price: 0, reserveCapacity: 0, sexRestriction: "NONE" as SexRestriction, examDurationMinutes: 120 };

/**
 * The course catalogue. Seat state (who is enrolled or waiting) is not here: it lives in the
 * enrollment engine (Redis) and its durable copy, the `enrollments` collection.
 */
const courseSchema = new Schema(
  {
    code: { type: String, required: true, trim: true },
    title: { type: String, required: true, trim: true },
    description: { type: String, default: COURSE_DEFAULTS.description },
    category: { type: String, required: true, trim: true },
    department: { type: String, required: true, trim: true },
    units: { type: Number, required: true, min: 0 },
    price: { type: Number, default: COURSE_DEFAULTS.price, min: 0 },
    capacity: { type: Number, required: true, min: 0 },
    reserveCapacity: { type: Number, default: COURSE_DEFAULTS.reserveCapacity, min: 0 },
    sexRestriction: { type: String, enum: SEX_RESTRICTIONS, default: COURSE_DEFAULTS.sexRestriction },
    meetings: { type: [meetingSchema], default: [] },
    examAt: { type: Date, default: null },
    examDurationMinutes: { type: Number, default: COURSE_DEFAULTS.examDurationMinutes },
    enrollmentOpensAt: { type: Date, default: null },
    enrollmentClosesAt: { type: Date, default: null },
    owner: { type: Schema.Types.ObjectId, required: true },
    instructors: { type: [Schema.Types.ObjectId], default: [] },
    archived: { type: Boolean, default: false },
  },
  { timestamps: true },
);
courseSchema.index({ code: 1 }, { unique: true });
courseSchema.index({ category: 1 });
courseSchema.index({ department: 1 });
courseSchema.index({ owner: 1 });
courseSchema.index({ instructors: 1 });

export type CourseDoc = InferSchemaType<typeof courseSchema> & { _id: Types.ObjectId; createdAt: Date; updatedAt: Date };
export const CourseModel = model("Course", courseSchema);
