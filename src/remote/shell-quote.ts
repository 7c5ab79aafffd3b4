/** Quotes `text` as one word for a POSIX shell (sh, bash, the remote side of ssh); plain words stay as they are. */
export function shellQuote(text: string): string {
  return /^[\w./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
