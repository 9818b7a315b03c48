/**
 * What to do about the two tenant warnings, in one sentence each (SPEC section 10), for the
 * digest, the calendar's description and the page: the one advice module calls these.
 */
import type { Warning } from "../domain/view-types.js";

/** "Move 7 users from STANDARDPACK before 2031-05-06." or null for another warning. */
export function coverageAdvice(warning: Warning): string | null {
  if (warning.code !== "LICENSES_NOT_COVERED" || !warning.users || !warning.skuPartNumber) {
    return null;
  }
  const users = `${warning.users} user${warning.users === 1 ? "" : "s"}`;
  const when = warning.date ? ` before ${warning.date}` : "";
  return `Move ${users} from ${warning.skuPartNumber}${when}.`;
}

/** "The customer also has ENTERPRISEPACK × 5 from another channel, ending 2031-04-06." */
export function untrackedAdvice(warning: Warning): string | null {
  if (warning.code !== "UNTRACKED_ORIGINAL" || !warning.skuPartNumber) return null;
  const seats = warning.seats === undefined ? "" : ` × ${warning.seats}`;
  const ending = warning.date ? `, ending ${warning.date}` : "";
  return `The customer also has ${warning.skuPartNumber}${seats} from another channel${ending}.`;
}
