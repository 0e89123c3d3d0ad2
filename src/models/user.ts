// Accounts (`users`): the e-mail, stored lowercased and trimmed, is unique, so one address is one
// account whatever its case. The stored role is the one that applies (auth/accountStates.ts).
import "./plugins";
import { Schema, model, type InferSchemaType, type Types } from "mongoose";

export const ROLES = ["STUDENT", "INSTRUCTOR", "ADMIN", "OBSERVER"] as const;
export type Role = (typeof ROLES)[number];
/** Roles a person may pick at sign-up; ADMIN and OBSERVER accounts are made by an ADMIN or at start. */
export const SELF_SIGNUP_ROLES: readonly Role[] = ["STUDENT", "INSTRUCTOR"];

export const SEXES = ["FEMALE", "MALE"] as const;
export type Sex = (typeof SEXES)[number];

const userSchema = new Schema(
  {
    email: { type: String, required: true, lowercase: true, trim: true },
    name: { type: String, required: true, trim: true },
    passwordHash: { type: String, required: true },
    role: { type: String, enum: ROLES, required: true },
    sex: { type: String, enum: SEXES, required: false },
    /** Set by an ADMIN: the account's tokens stop working and it cannot log in. Absent = not locked. */
    locked: { type: Boolean, required: false },
  },
  { timestamps: true },
);
userSchema.index({ email: 1 }, { unique: true });

export type UserDoc = InferSchemaType<typeof userSchema> & { _id: Types.ObjectId; createdAt: Date };
export const UserModel = model("User", userSchema);
