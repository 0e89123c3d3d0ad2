// The API's account types: the user, the session signUp and logIn answer, their inputs and bounds,
// the presenter toUser (never the password hash), and enumOf, which every schema module builds its
// enums with. E-mail, sex and lock are not fields here: AccountsResolver shows each to whom may see it.
import { IsEmail, IsMongoId, IsOptional, Length, MaxLength } from "class-validator";
import { ArgsType, Field, ID, InputType, ObjectType, registerEnumType } from "type-graphql";
import { ROLES, SEXES, type Role, type Sex } from "../models/user";
import { ConnectionArgs, ConnectionType } from "./relay";

/** Longest e-mail address (RFC 5321 path limit), password and name anywhere in the API. */
export const MAX_EMAIL_LENGTH = 254;
export const MAX_PASSWORD_LENGTH = 128;
export const MAX_NAME_LENGTH = 100;

export const enumOf = <T extends readonly string[]>(values: T) =>
  Object.fromEntries(values.map((v) => [v, v])) as { [K in T[number]]: K };

export const RoleEnum = enumOf(ROLES);
registerEnumType(RoleEnum, {
  name: "Role",
  description: "What a user may do",
  valuesConfig: {
    STUDENT: { description: "Enrolls in courses, joins office-hours lines, plays quizzes; may sign up" },
    INSTRUCTOR: { description: "Teacher, TA or course owner: runs courses, office hours, quizzes and group registers; may sign up" },
    ADMIN: { description: "Registrar or staff: acts on every course, school and account; created at start or by the seed, never signed up" },
    OBSERVER: { description: "Read-only inspector: office-hours lines and statistics, attendance everywhere; given by an ADMIN" },
  },
});
export const SexEnum = enumOf(SEXES);
registerEnumType(SexEnum, {
  name: "Sex",
  description: "Used by sex-restricted courses",
  valuesConfig: {
    FEMALE: { description: "May enroll in FEMALE_ONLY courses" },
    MALE: { description: "May enroll in MALE_ONLY courses" },
  },
});

@ObjectType({ description: "An account: a STUDENT, an INSTRUCTOR (teacher, TA, course owner), an ADMIN (registrar, staff) or an OBSERVER (read-only inspector)" })
export class User {
  @Field(() => ID, { description: "The account id (an ObjectId hex string)" })
  id: string;

  /** Shown through AccountsResolver.email: to whom depends on who the user is (policies.ts). */
  email: string;

  @Field({ description: "Display name, as leaderboards, lines and registers show it" })
  name: string;

  @Field(() => RoleEnum, { description: "What the account may do" })
  role: Role;

  /** Shown through AccountsResolver.sex: only to the user and ADMINs. */
  sex?: Sex | null;

  /** Shown through AccountsResolver.locked: only to ADMINs. */
  locked?: boolean;

  @Field({ description: "When the account was created" })
  createdAt: Date;

  /** Not a field: set where the user is the caller's own account though the request has no token (signUp, logIn). */
  ownAccount?: boolean;
}

export const UserConnection = ConnectionType(User);

@ObjectType({ description: "A signed-in session: the token to send, until when, and whose it is" })
export class AuthPayload {
  @Field({ description: "JWT for `Authorization: Bearer <token>` or graphql-ws `connectionParams.authorization`" })
  token: string;

  @Field({ description: "When the token stops being accepted: log in again before then" })
  expiresAt: Date;

  @Field(() => User, { description: "The account signed up or logged in to" })
  user: User;
}

@InputType({ description: "A new account, signing itself up" })
export class SignUpInput {
  @Field({ description: `At most ${MAX_EMAIL_LENGTH} characters` })
  @IsEmail()
  @MaxLength(MAX_EMAIL_LENGTH)
  email: string;

  @Field({ description: `8 to ${MAX_PASSWORD_LENGTH} characters` })
  @Length(8, MAX_PASSWORD_LENGTH)
  password: string;

  @Field({ description: `1 to ${MAX_NAME_LENGTH} characters` })
  @Length(1, MAX_NAME_LENGTH)
  name: string;

  @Field(() => RoleEnum, { description: "STUDENT or INSTRUCTOR" })
  role: Role;

  @Field(() => SexEnum, { nullable: true, description: "Needed only to enroll in sex-restricted courses; seen by you and ADMINs only" })
  @IsOptional()
  sex?: Sex | null;
}

/** logIn's arguments, bounded before anything is looked up or counted. */
@ArgsType()
export class LogInArgs {
  @Field({ description: `At most ${MAX_EMAIL_LENGTH} characters` })
  @MaxLength(MAX_EMAIL_LENGTH)
  email: string;

  @Field({ description: `At most ${MAX_PASSWORD_LENGTH} characters` })
  @MaxLength(MAX_PASSWORD_LENGTH)
  password: string;
}

@ArgsType()
export class UsersArgs extends ConnectionArgs {
  @Field(() => RoleEnum, { nullable: true, description: "Only accounts of this role" })
  @IsOptional()
  role?: Role | null;
}

/** The account an ADMIN acts on. */
@ArgsType()
export class AccountArgs {
  @Field(() => ID, { description: "The account to act on" })
  @IsMongoId()
  userId: string;
}

@ArgsType()
export class SetRoleArgs extends AccountArgs {
  @Field(() => RoleEnum, { description: "The role it gets" })
  role: Role;
}

/** Presenter: the stored user as the API shows it (never the password hash). */
export function toUser(doc: {
  _id: { toHexString(): string };
  email: string;
  name: string;
  role: string;
  sex?: string | null;
  locked?: boolean | null;
  createdAt: Date;
}): User {
  return {
    id: doc._id.toHexString(),
    email: doc.email,
    name: doc.name,
    role: doc.role as Role,
    sex: (doc.sex as Sex | undefined) ?? null,
    locked: doc.locked === true,
    createdAt: doc.createdAt,
  };
}
