/**
 * Who loses a license when an original ends (SPEC section 10), as plain arithmetic on the
 * tenant's numbers for one SKU:
 * - `enabledLicenses`: licenses of the tenant's `Enabled` subscriptions of the SKU;
 * - `ownLicenses`: this original's licenses (part of `enabledLicenses`);
 * - `endingLicenses`: licenses of the transfer's other originals of the SKU that end on or
 *   before this one (they cannot be fallen back on either);
 * - `consumedUnits`: users holding a license of the SKU.
 * `remaining` is what is left once this original ends; `users` are those left without one.
 */
export type CoverageInput = {
  consumedUnits: number;
  enabledLicenses: number;
  ownLicenses: number;
  endingLicenses: number;
};

export type Coverage = { remaining: number; users: number };

export function coverage(input: CoverageInput): Coverage {
  const remaining = Math.max(0, input.enabledLicenses - input.ownLicenses - input.endingLicenses);
  return { remaining, users: Math.max(0, input.consumedUnits - remaining) };
}
