import type { Context } from 'hono';

/**
 * Reads only the named fields of a form body, as strings: anything else the client sends,
 * including forged hidden inputs, is never seen by the domain.
 */
export async function formFields<K extends string>(
  c: Context,
  names: readonly K[],
): Promise<Partial<Record<K, string>>> {
  const type = c.req.header('content-type') ?? '';
  if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type)) return {};
  const body = await c.req.parseBody();
  const fields: Partial<Record<K, string>> = {};
  for (const name of names) {
    const value = body[name];
    if (typeof value === 'string') fields[name] = value;
  }
  return fields;
}
