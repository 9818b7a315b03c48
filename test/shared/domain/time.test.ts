import { afterEach, describe, expect, it } from "vitest";
import {
  canonicalJson,
  compareValues,
  compareVersions,
  daysBetween,
  earliest,
  instantOf,
  latest,
  utcDate,
} from "../../../shared/domain/time.js";

describe("instants are UTC whatever the host time zone", () => {
  const savedTz = process.env.TZ;
  afterEach(() => {
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
  });

  it.each(["America/New_York", "Asia/Kolkata", "UTC"])(
    "a date-time without offset is read as UTC in %s",
    (tz) => {
      // Prepare
      process.env.TZ = tz;
      // Act + Assess
      expect(instantOf("2026-06-30T00:00:00")).toBe(Date.UTC(2026, 5, 30));
      expect(instantOf("2026-06-30T23:30")).toBe(Date.UTC(2026, 5, 30, 23, 30));
      expect(instantOf("2026-06-30T00:00:00.250")).toBe(Date.UTC(2026, 5, 30, 0, 0, 0, 250));
      expect(instantOf("2026-06-30")).toBe(Date.UTC(2026, 5, 30));
      expect(utcDate("2026-06-30T23:30:00")).toBe("2026-06-30");
    },
  );

  it("honours explicit offsets", () => {
    expect(instantOf("2026-06-30T01:00:00+02:00")).toBe(Date.UTC(2026, 5, 29, 23));
    expect(utcDate("2026-06-30T01:00:00+02:00")).toBe("2026-06-29");
  });

  it("refuses what is not an instant", () => {
    expect(() => instantOf("soon")).toThrow(RangeError);
  });

  it("counts whole UTC calendar days", () => {
    expect(daysBetween("2026-06-29T23:59:00Z", "2026-06-30T00:01:00Z")).toBe(1);
    expect(daysBetween("2026-06-30T00:00:00Z", "2026-06-30T23:59:00Z")).toBe(0);
    expect(daysBetween("2026-07-01T00:00:00Z", "2026-06-30T00:00:00Z")).toBe(-1);
  });
});

describe("versions: latest and earliest", () => {
  const v = (at: string, eventId: string, value: unknown) => ({ stamp: { at, eventId }, value });

  it("orders by instant first", () => {
    const older = v("2026-01-01T00:00:00Z", "z", 99);
    const newer = v("2026-01-01T00:00:01Z", "a", 1);
    expect(latest(older, newer)).toBe(newer);
    expect(latest(newer, older)).toBe(newer);
    expect(earliest(newer, older)).toBe(older);
    expect(latest(undefined, older)).toBe(older);
  });

  it("at the same instant, different values are ordered by value, not by event id", () => {
    const small = v("2026-01-01T00:00:00Z", "z", 5);
    const big = v("2026-01-01T01:00:00+01:00", "a", 7);
    expect(latest(small, big)).toBe(big);
    expect(latest(big, small)).toBe(big);
    expect(earliest(big, small)).toBe(small);
  });

  it("at the same instant with equal values, the greater event id wins", () => {
    const a = v("2026-01-01T00:00:00Z", "evt-a", { q: 1, r: [1, 2] });
    const b = v("2026-01-01T00:00:00Z", "evt-b", { r: [1, 2], q: 1 });
    expect(latest(a, b)).toBe(b);
    expect(latest(b, a)).toBe(b);
    expect(earliest(b, a)).toBe(a);
    expect(compareVersions(a, a)).toBe(0);
  });

  it("compareValues: numbers by value, booleans false < true, strings by code unit", () => {
    expect(compareValues(9, 10)).toBeLessThan(0);
    expect(compareValues(false, true)).toBeLessThan(0);
    expect(compareValues("B", "a")).toBeLessThan(0);
    expect(compareValues({ a: 1 }, { a: 2 })).toBeLessThan(0);
    expect(compareValues({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(0);
  });

  it("canonicalJson sorts keys at every depth", () => {
    expect(canonicalJson({ b: 1, a: { d: [{ y: 1, x: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[{"x":2,"y":1}]},"b":1}',
    );
  });
});
