// The bounds of what clients send (SPEC 6: every string has a maximum length, every number and date
// a range, links are https, codes and titles carry no control or bidi-override characters), as
// class-validator decorators for input fields and as `validateFn`s for scalar arguments, which
// type-graphql does not run class-validator on. Both are built on the predicates of
// src/platform/inputRules.ts, and both fail the same way: BAD_USER_INPUT naming the field.
import { ValidateBy, ValidateIf, ValidationTypes, type ValidationOptions } from "class-validator";
import type { ValidatorFn } from "type-graphql";
import { isCalendarDate } from "../domain/attendance/dates";
import { fail } from "../platform/errors";
import { isDateInRange, isHttpsUrl, isPlace, isSafeText, type TextRule } from "../platform/inputRules";
import { isObjectId } from "../platform/ids";

/** One bound: its name (the key of `constraints` in the error), test, and what it asks for. */
export interface Bound {
  name: string;
  test(value: unknown): boolean;
  /** Completes "<field> ...". */
  wants: string;
}

export const safeText = (rule: TextRule): Bound => ({
  name: rule.multiline ? "safeMultilineText" : "safeText",
  test: (v) => isSafeText(v, rule),
  wants: `must be ${rule.min === 0 ? "at most" : `${rule.min ?? 1} to`} ${rule.max} characters${rule.min === 0 ? "" : " (not blank)"}, without control${rule.multiline ? " (other than tabs and line breaks)" : ""} or bidi-override characters`,
});

export const httpsUrl = (max?: number): Bound => ({ name: "httpsUrl", test: (v) => isHttpsUrl(v, max), wants: "must be an https URL" });

export const place = (max: number): Bound => ({
  name: "place",
  test: (v) => isPlace(v, max),
  wants: `must be a room (at most ${max} characters, without control or bidi-override characters) or an https URL`,
});

export const dateInRange = (): Bound => ({ name: "dateInRange", test: isDateInRange, wants: "must be a date from 2000-01-01 to 2099-12-31" });

export const calendarDate = (): Bound => ({
  name: "calendarDate",
  test: (v) => typeof v === "string" && isCalendarDate(v),
  wants: "must be a calendar date YYYY-MM-DD from 2000-01-01 to 2099-12-31",
});

export const objectId = (): Bound => ({ name: "objectId", test: isObjectId, wants: "must be an id (24 hexadecimal digits)" });

export const intRange = (min: number, max: number): Bound => ({
  name: "intRange",
  test: (v) => Number.isInteger(v) && (v as number) >= min && (v as number) <= max,
  wants: `must be an integer from ${min} to ${max}`,
});

/** A class-validator decorator from a bound (`each` checks every item of a list). */
export function bounded(bound: Bound, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: bound.name,
      validator: { validate: (v) => bound.test(v), defaultMessage: (args) => `${options?.each ? "each item of " : ""}${args?.property} ${bound.wants}` },
    },
    options,
  );
}

export const SafeText = (max: number, rule: Omit<TextRule, "max"> = {}, options?: ValidationOptions) => bounded(safeText({ ...rule, max }), options);
export const HttpsUrl = (max?: number) => bounded(httpsUrl(max));
export const Place = (max: number) => bounded(place(max));
export const DateInRange = () => bounded(dateInRange());
export const ObjectIdString = (options?: ValidationOptions) => bounded(objectId(), options);

/**
 * May be left out, but not null: for fields of an update input that are required on the stored
 * document. (Every other validator skips null, since type-graphql validates with
 * skipMissingProperties; class-validator runs IS_DEFINED-type validators regardless.)
 */
export function OptionalNotNull(): PropertyDecorator {
  const given = ValidateIf((_object, value) => value !== undefined);
  const notNull = ValidateBy({
    name: ValidationTypes.IS_DEFINED,
    validator: { validate: (v) => v !== null, defaultMessage: (args) => `${args?.property} may be left out, but not null` },
  });
  return (target, key) => {
    given(target, key);
    notNull(target, key);
  };
}

/**
 * A scalar argument's check (`@Arg("x", { validateFn: checkArg("x", bound) })`): a plain test,
 * cheap enough for hot paths; null passes (GraphQL already refused it where the argument is
 * non-null). The error is the one class-validator's give (BAD_USER_INPUT, the field and its
 * problems), with the domain's own reason where it has one (INVALID_QUESTION rather than INVALID_INPUT).
 */
export function checkArg(argument: string, bound: Bound, reason = "INVALID_INPUT"): ValidatorFn {
  const problem = `${argument} ${bound.wants}`;
  return (value) => {
    if (value === null || value === undefined || bound.test(value)) return;
    throw fail("BAD_USER_INPUT", `Invalid input: ${argument}: ${problem}`, reason, { fields: [{ field: argument, problems: [problem] }] });
  };
}
