import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { controlCharacterIn } from '../core/validation';

/**
 * A form the reader refuses: answered 400 with this message on the status page (app.ts). Bad
 * bytes are refused before the route runs, so nothing is changed and no form is shown again;
 * no browser sends them from a typed form, so a page that says what was wrong is enough.
 */
export class FormRefused extends HTTPException {
  constructor(message: string) {
    super(400, { message });
  }
}

/** The console's textareas: the only fields where tab, line feed and carriage return are text. */
const MULTI_LINE = new Set([
  'emails',
  'message',
  'reason',
  'redirectUris',
  'postLogoutRedirectUris',
  'apiResources',
]);

/** Longer than any field of the console accepts (each schema has its own, lower, limit). */
const MAX_VALUE = 20_000;

const isHexDigit = (b: number) =>
  (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66);

/**
 * True when a urlencoded body's percent-escapes and raw bytes decode as UTF-8. The standard
 * parser would turn each bad sequence into U+FFFD and carry on, storing a name that is not what
 * was sent.
 */
function isUtf8Form(body: Uint8Array): boolean {
  const bytes = new Uint8Array(body.length);
  let n = 0;
  for (let i = 0; i < body.length; i++) {
    const b = body[i] as number;
    if (b === 0x25 && isHexDigit(body[i + 1] ?? 0) && isHexDigit(body[i + 2] ?? 0)) {
      bytes[n++] = Number.parseInt(String.fromCharCode(body[i + 1] as number, body[i + 2] as number), 16);
      i += 2;
    } else bytes[n++] = b;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, n));
    return true;
  } catch {
    return false;
  }
}

async function readBody(c: Context) {
  const type = c.req.header('content-type') ?? '';
  if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type)) return {};
  try {
    // Read once: parseBody reuses the cached bytes.
    if (
      /^application\/x-www-form-urlencoded/i.test(type) &&
      !isUtf8Form(new Uint8Array(await c.req.arrayBuffer()))
    )
      throw new FormRefused('The form was not sent as UTF-8 text. Reload the page and try again.');
    return await c.req.parseBody({ all: true });
  } catch (error) {
    if (error instanceof FormRefused) throw error;
    throw new FormRefused('The form could not be read. Reload the page and try again.');
  }
}

/** The values of the fields read, checked by the one text rule (validation.ts, controlCharacterIn). */
function refuseBadText(values: ReadonlyArray<readonly [name: string, value: string]>) {
  const problems = new Set<string>();
  for (const [name, value] of values) {
    const control = controlCharacterIn(value, MULTI_LINE.has(name));
    if (control) problems.add(`The field “${name}” contains a control character (${control}); remove it.`);
    else if (value.length > MAX_VALUE)
      problems.add(`The field “${name}” is longer than ${MAX_VALUE.toLocaleString('en')} characters.`);
  }
  if (problems.size > 0) throw new FormRefused([...problems].join(' '));
}

/**
 * Reads only the named fields of a form body, as strings: anything else the client sends,
 * including forged hidden inputs, is never seen by the domain. A field sent twice counts once
 * (its first value); `name[]` is another field. Text that breaks the one rule (a control
 * character, invalid UTF-8, an absurd length) is refused with 400 before the route runs.
 */
export async function formFields<K extends string>(
  c: Context,
  names: readonly K[],
): Promise<Partial<Record<K, string>>> {
  return (await formValues(c, names, [])).fields;
}

/** As formFields, plus fields that repeat (checkbox groups), each as a list of strings. */
export async function formValues<K extends string, L extends string>(
  c: Context,
  names: readonly K[],
  listNames: readonly L[],
): Promise<{ fields: Partial<Record<K, string>>; lists: Record<L, string[]> }> {
  const body = await readBody(c);
  const fields: Partial<Record<K, string>> = {};
  const read: Array<readonly [string, string]> = [];
  for (const name of names) {
    const value = body[name];
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') {
      fields[name] = first;
      read.push([name, first]);
    }
  }
  const lists = {} as Record<L, string[]>;
  for (const name of listNames) {
    const value = body[name];
    const all = Array.isArray(value) ? value : value === undefined ? [] : [value];
    lists[name] = all.filter((v): v is string => typeof v === 'string');
    for (const v of lists[name]) read.push([name, v]);
  }
  refuseBadText(read);
  return { fields, lists };
}
