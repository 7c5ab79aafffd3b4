/**
 * How systemd splits a setting's value into words (ExecStart=, Environment=): whitespace
 * separates words; single and double quotes group, anywhere in a word; C-style escapes
 * ("\n", "\t", "\\", "\"", "\x41", "\101", "\u00e9", "\s" for a space) are decoded inside and
 * outside quotes. Pure.
 *
 * NB. An escape systemd does not know ("\q") is kept as written, backslash included, rather than
 * refused: the running unit was accepted by systemd, so such a sequence is not expected.
 */

/** A value systemd could not split (an unterminated quote). */
export class UnitSyntaxError extends Error {}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  s: ' ',
  '\\': '\\',
  '"': '"',
  "'": "'",
};

/** Hex digits after \x, \u and \U; octal escapes take exactly three digits. */
const HEX_ESCAPES: Record<string, number> = { x: 2, u: 4, U: 8 };

/** Splits a unit setting's value into words, removing quotes and decoding escapes. */
export function splitUnitWords(value: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;

  for (let index = 0; index < value.length; index += 1) {
    const char = value[index] as string;

    if (char === '\\') {
      const [decoded, length] = decodeEscape(value, index + 1);
      word += decoded;
      inWord = true;
      index += length;
    } else if (quote) {
      if (char === quote) quote = undefined;
      else word += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += char;
      inWord = true;
    }
  }

  if (quote) throw new UnitSyntaxError(`unterminated ${quote} quote in: ${value}`);
  if (inWord) words.push(word);
  return words;
}

/** Decodes the escape whose letter is at `at`; returns the text and how many chars it used. */
function decodeEscape(value: string, at: number): [string, number] {
  const letter = value[at];
  if (letter === undefined) return ['\\', 0];

  const simple = SIMPLE_ESCAPES[letter];
  if (simple !== undefined) return [simple, 1];

  const hexLength = HEX_ESCAPES[letter];
  if (hexLength !== undefined) {
    const digits = value.slice(at + 1, at + 1 + hexLength);
    const code = /^[0-9a-fA-F]+$/.test(digits) ? Number.parseInt(digits, 16) : Number.NaN;
    if (digits.length === hexLength && code <= 0x10ffff) {
      return [String.fromCodePoint(code), 1 + hexLength];
    }
  }

  const octal = value.slice(at, at + 3);
  if (/^[0-7]{3}$/.test(octal)) return [String.fromCodePoint(Number.parseInt(octal, 8)), 3];

  return [`\\${letter}`, 1];
}
