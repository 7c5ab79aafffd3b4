/**
 * Certificate lifetimes: parsing `--validity` values and turning a lifetime
 * into the notBefore/notAfter window of a new certificate.
 */

import { UsageError } from '../errors.js';

/** The lifetime of issued certificates unless told otherwise: the ACK installer's 438000h. */
export const DEFAULT_VALIDITY = '50y';

/** How far notBefore lies in the past, so hosts with a slow clock accept new certificates. */
export const CLOCK_SKEW_MS = 5 * 60 * 1000;

const HOUR_MS = 60 * 60 * 1000;
const UNIT_MS: Record<string, number> = { h: HOUR_MS, d: 24 * HOUR_MS, y: 365 * 24 * HOUR_MS };
const LAST_X509_DATE = Date.UTC(9999, 11, 31, 23, 59, 59);

/**
 * Parses a lifetime such as `50y`, `3650d` or `438000h` into milliseconds.
 * A year is 365 days, as openssl `-days` and cfssl `expiry` count, so `50y`
 * equals the installer's `438000h`. Throws a UsageError for anything else.
 */
export function parseValidity(text: string): number {
  const match = /^(\d+)([ydh])$/.exec(text.trim());
  const count = match ? Number(match[1]) : 0;
  const unit = match?.[2];
  if (unit === undefined || count <= 0 || !Number.isSafeInteger(count)) {
    throw new UsageError(
      `invalid validity "${text}": expected a whole number of years, days or hours such as 50y, 3650d or 438000h`,
    );
  }

  const ms = count * (UNIT_MS[unit] ?? 0);
  if (Date.now() + ms > LAST_X509_DATE) {
    throw new UsageError(
      `invalid validity "${text}": certificates would expire after 9999-12-31, the last date X.509 can express; use at most ${maxYears()}y`,
    );
  }
  return ms;
}

/** The validity window of a certificate issued at `now`: notBefore is `CLOCK_SKEW_MS` earlier. */
export function validityWindow(
  validityMs: number,
  now = new Date(),
): { notBefore: Date; notAfter: Date } {
  if (!(validityMs > 0) || now.getTime() + validityMs > LAST_X509_DATE) {
    throw new RangeError(
      `validity of ${validityMs} ms is out of range; parse it with parseValidity`,
    );
  }
  const notBefore = new Date(Math.floor((now.getTime() - CLOCK_SKEW_MS) / 1000) * 1000);
  return { notBefore, notAfter: new Date(notBefore.getTime() + validityMs) };
}

function maxYears(): number {
  return Math.floor((LAST_X509_DATE - Date.now()) / (UNIT_MS['y'] ?? 1));
}
