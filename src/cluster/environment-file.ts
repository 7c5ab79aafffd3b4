/**
 * The environment a systemd unit gives its process: Environment= assignments and the files of
 * EnvironmentFile= (systemd.exec(5)). Pure: text in, variables out.
 */

import { setOwn } from './records.js';
import { splitUnitWords } from './unit-words.js';

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Parses an Environment= value (`"A=b c" D=e`) into variables. Words that are not
 * `NAME=value` with a valid name are skipped, as systemd skips them.
 */
export function parseEnvironmentAssignments(value: string): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const word of splitUnitWords(value)) {
    const equals = word.indexOf('=');
    const name = word.slice(0, equals);
    if (equals > 0 && VARIABLE_NAME.test(name)) setOwn(variables, name, word.slice(equals + 1));
  }
  return variables;
}

type State = 'key' | 'value' | 'single' | 'double' | 'comment';

/**
 * Parses the text of an EnvironmentFile= the way systemd reads it: `NAME=value` lines; "#" and
 * ";" start comment lines; values may be single-quoted (literal), double-quoted (backslash
 * escapes `"`, `\`, `$` and a backquote) or bare (backslash escapes any character, trailing
 * whitespace dropped); a backslash before a newline continues the value. Lines without a valid
 * name are skipped.
 */
export function parseEnvironmentFile(text: string): Record<string, string> {
  const variables: Record<string, string> = {};
  let state: State = 'key';
  let key = '';
  let value = '';
  let kept = 0;

  const finish = (): void => {
    const name = key.trim();
    if (VARIABLE_NAME.test(name)) setOwn(variables, name, value.slice(0, kept));
    key = '';
    value = '';
    kept = 0;
    state = 'key';
  };

  for (let index = 0; index < text.length; index += 1) {
    const char = text[index] as string;
    const next = text[index + 1];

    if (state === 'comment') {
      if (char === '\n') state = 'key';
    } else if (state === 'key') {
      if (char === '\n') key = '';
      else if (key.trim() === '' && (char === '#' || char === ';')) state = 'comment';
      else if (char === '=') state = 'value';
      else key += char;
    } else if (state === 'single') {
      if (char === "'") state = 'value';
      else kept = (value += char).length;
    } else if (state === 'double') {
      if (char === '"') state = 'value';
      else if (char === '\\' && next === '\n') index += 1;
      else if (char === '\\' && next !== undefined && '"\\`$'.includes(next)) {
        kept = (value += next).length;
        index += 1;
      } else kept = (value += char).length;
    } else if (char === '\n') {
      finish();
    } else if (char === "'" || char === '"') {
      state = char === "'" ? 'single' : 'double';
    } else if (char === '\\') {
      if (next !== undefined && next !== '\n') kept = (value += next).length;
      index += 1;
    } else if (value === '' && /\s/.test(char)) {
      // Whitespace between "=" and the value is not part of it.
    } else {
      value += char;
      if (!/\s/.test(char)) kept = value.length;
    }
  }

  if (state === 'value') finish();
  return variables;
}
