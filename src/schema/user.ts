import { IsEmail, IsOptional, Length, MaxLength } from "class-validator";
import { Field, ID, InputType, ObjectType, registerEnumType } from "type-graphql";
import { ROLES, SEXES, type Role, type Sex } from "../models/user";
import { ConnectionType } from "./relay";

export const enumOf = <T extends readonly string[]>(values: T) =>
  Object.fromEntries(values.map((v) => [v, v])) as { [K in T[number]]: K };

export const RoleEnum = enumOf(ROLES);
registerEnumType(RoleEnum, { name: "Role", description: "What a user may do" });
export const SexEnum = enumOf(SEXES);
registerEnumType(SexEnum, { name: "Sex", description: "Used by sex-restricted courses" });

@ObjectType()
export class User {
  @Field(() => ID)
  id: string;

  @Field()
  email: string;

  @Field()
  name: string;

  @Field(() => RoleEnum)
  role: Role;

  /** Shown through AccountsResolver.sex: only to the user and ADMINs. */
  sex?: Sex | null;

  @Field()
  createdAt: Date;

  /** Not a field: set where the user is the caller's own account though the request has no token (signUp, logIn). */
  ownAccount?: boolean;
}

export const UserConnection = ConnectionType(User);

@ObjectType()
export class AuthPayload {
  @Field({ description: "JWT for `Authorization: Bearer <token>` or graphql-ws `connectionParams.authorization`" })
  token: string;

  @Field()
  expiresAt: Date;

  @Field(() => User)
  user: User;
}

@InputType()
export class SignUpInput {
  @Field()
  @IsEmail()
  @MaxLength(254)
  email: string;

  @Field({ description: "8 to 128 characters" })
  @Length(8, 128)
  password: string;

  @Field()
  @Length(1, 100)
  name: string;

  @Field(() => RoleEnum, { description: "STUDENT or INSTRUCTOR" })
  role: Role;

  @Field(() => SexEnum, { nullable: true })
  @IsOptional()
  sex?: Sex | null;
}

/** Presenter: the stored user as the API shows it (never the password hash). */
export function toUser(doc: {
  _id: { toHexString(): string };
  email: string;
  name: string;
  role: string;
  sex?: string | null;
  createdAt: Date;
}): User {
  return {
    id: doc._id.toHexString(),
    email: doc.email,
    name: doc.name,
    role: doc.role as Role,
    sex: (doc.sex as Sex | undefined) ?? null,
    createdAt: doc.createdAt,
  };
}
