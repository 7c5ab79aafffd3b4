/**
 * The syntax of systemd unit files (systemd.syntax(7)), reduced to what discovery needs: a list
 * of assignments with their section and line. Pure: text in, assignments out.
 *
 * Rules followed, as systemd applies them:
 * - lines starting with "#" or ";" (after leading whitespace) are comments;
 * - a line ending in an odd number of backslashes continues on the next line, the backslash
 *   becoming a space; comment lines inside a continuation are skipped;
 * - whitespace around "=" is ignored; a line without "=" is ignored, as systemd does after
 *   logging it;
 * - assignments before the first section header are ignored.
 */

/** One `Key=value` line of a unit file, after joining continuations. */
export interface UnitAssignment {
  section: string;
  key: string;
  value: string;
  /** 1-based number of the line the assignment starts on. */
  line: number;
}

/** Splits the text of a unit file or drop-in into its assignments, in file order. */
export function parseUnitFile(text: string): UnitAssignment[] {
  const assignments: UnitAssignment[] = [];
  let section: string | undefined;
  let pending: { text: string; line: number } | undefined;

  const take = (joined: string, line: number): void => {
    const content = joined.trim();
    if (content.startsWith('[')) {
      section = content.endsWith(']') ? content.slice(1, -1) : undefined;
      return;
    }
    const equals = content.indexOf('=');
    if (section === undefined || equals < 0) return;
    assignments.push({
      section,
      key: content.slice(0, equals).trim(),
      value: content.slice(equals + 1).trim(),
      line,
    });
  };

  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index += 1) {
    const raw = lines[index] as string;
    const trimmed = raw.trim();
    const isComment = trimmed.startsWith('#') || trimmed.startsWith(';');

    if (pending && isComment) continue;
    if (!pending && (trimmed === '' || isComment)) continue;

    const joined = pending ? pending.text + raw : raw;
    const line = pending ? pending.line : index + 1;
    if (endsWithContinuation(joined)) {
      pending = { text: `${joined.slice(0, -1)} `, line };
      continue;
    }
    pending = undefined;
    take(joined, line);
  }

  // A backslash on the last line continues into nothing: the line counts as it is.
  if (pending) take(pending.text, pending.line);
  return assignments;
}

function endsWithContinuation(line: string): boolean {
  let backslashes = 0;
  for (let index = line.length - 1; index >= 0 && line[index] === '\\'; index -= 1) {
    backslashes += 1;
  }
  return backslashes % 2 === 1;
}
