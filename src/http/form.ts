import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';

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
  let body: Awaited<ReturnType<typeof c.req.parseBody>>;
  try {
    body = await c.req.parseBody();
  } catch {
    throw new HTTPException(400, { message: 'unreadable form body' });
  }
  const fields: Partial<Record<K, string>> = {};
  for (const name of names) {
    const value = body[name];
    if (typeof value === 'string') fields[name] = value;
  }
  return fields;
}
