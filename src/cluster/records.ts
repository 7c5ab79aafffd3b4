/**
 * Records keyed by names read from hosts' files (flags, environment variables). A name such as
 * "__proto__" or "constructor" must behave like any other name: set as an own property, and
 * looked up among own properties only.
 */

/** Sets `record[name]` as an own property, whatever the name. */
export function setOwn(record: Record<string, string>, name: string, value: string): void {
  Object.defineProperty(record, name, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/** `record[name]` when it is an own property, else `undefined`. */
export function getOwn(record: Readonly<Record<string, string>>, name: string): string | undefined {
  return Object.hasOwn(record, name) ? record[name] : undefined;
}
