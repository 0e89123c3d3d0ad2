// School calendar rules: pure functions, checked at exact instants.
import { addDays, datesBetween, daysBetween, endOfDayAfter, isCalendarDate, judgeLessonDate, localDate } from "../../src/domain/attendance/dates";

it("accepts only real calendar dates in YYYY-MM-DD form, from 2000 to 2099", () => {
  expect(isCalendarDate("2026-02-28")).toBe(true);
  expect(isCalendarDate("2024-02-29")).toBe(true);
  expect(isCalendarDate("2000-01-01")).toBe(true);
  expect(isCalendarDate("2099-12-31")).toBe(true);
  for (const bad of ["2026-02-29", "2026-13-01", "2026-1-01", "26-01-01", "2026-01-01T00:00", "", "today", "1999-12-31", "2100-01-01", "0001-01-01"]) {
    expect(isCalendarDate(bad)).toBe(false);
  }
});

it("judges 'today' in the school's time zone", () => {
  const instant = Date.parse("2026-03-01T23:30:00Z");
  expect(localDate("UTC", instant)).toBe("2026-03-01");
  expect(localDate("Europe/Berlin", instant)).toBe("2026-03-02");
  expect(localDate("America/New_York", instant)).toBe("2026-03-01");
  expect(localDate("Pacific/Kiritimati", Date.parse("2026-03-01T10:00:00Z"))).toBe("2026-03-02");
});

it("future dates are INVALID_DATE, dates older than the window are LESSON_LOCKED", () => {
  expect(judgeLessonDate("2026-03-02", "2026-03-01", 7)).toBe("INVALID_DATE");
  expect(judgeLessonDate("2026-03-01", "2026-03-01", 7)).toBe("OK");
  expect(judgeLessonDate("2026-02-22", "2026-03-01", 7)).toBe("OK");
  expect(judgeLessonDate("2026-02-21", "2026-03-01", 7)).toBe("LESSON_LOCKED");
  expect(judgeLessonDate("2026-02-30", "2026-03-01", 7)).toBe("INVALID_DATE");
});

it("date arithmetic crosses months, leap days and years", () => {
  expect(addDays("2024-02-28", 1)).toBe("2024-02-29");
  expect(addDays("2025-12-31", 1)).toBe("2026-01-01");
  expect(daysBetween("2025-12-25", "2026-01-04")).toBe(10);
  expect(datesBetween("2026-02-27", "2026-03-02")).toEqual(["2026-02-27", "2026-02-28", "2026-03-01", "2026-03-02"]);
  expect(endOfDayAfter("2026-03-01", 7) * 1000).toBe(Date.parse("2026-03-10T00:00:00Z"));
});
