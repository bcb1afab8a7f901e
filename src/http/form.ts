import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';

async function readBody(c: Context) {
  const type = c.req.header('content-type') ?? '';
  if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type)) return {};
  try {
    return await c.req.parseBody({ all: true });
  } catch {
    throw new HTTPException(400, { message: 'unreadable form body' });
  }
}

/**
 * Reads only the named fields of a form body, as strings: anything else the client sends,
 * including forged hidden inputs, is never seen by the domain.
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
  for (const name of names) {
    const value = body[name];
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') fields[name] = first;
  }
  const lists = {} as Record<L, string[]>;
  for (const name of listNames) {
    const value = body[name];
    const all = Array.isArray(value) ? value : value === undefined ? [] : [value];
    lists[name] = all.filter((v): v is string => typeof v === 'string');
  }
  return { fields, lists };
}
