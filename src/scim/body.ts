import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { controlCharacterIn } from '../core/validation';
import { isObject } from './attributes';
import type { ScimEnv } from './auth';
import { scimError } from './errors';

/**
 * A group of a few thousand members, sent whole by a PUT, is a few hundred kilobytes: no SCIM
 * request is read past this (the declared length first; a chunked body is counted as it comes).
 */
export const MAX_SCIM_BODY = 1024 * 1024;

const tooLarge = (c: Context) => scimError(c, 413, null, 'At most 1 MB a request.');
const chunked = bodyLimit({ maxSize: MAX_SCIM_BODY, onError: tooLarge });

/** Before anything else: a body declared too large is refused unread. */
export const scimBodyLimit: MiddlewareHandler<ScimEnv> = async (c, next) => {
  const length = c.req.header('content-length');
  if (length !== undefined && c.req.header('transfer-encoding') === undefined)
    return Number(length) > MAX_SCIM_BODY ? tooLarge(c) : next();
  if (c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.method === 'DELETE') return next();
  return chunked(c, next);
};

/**
 * The body of a POST, PUT or PATCH: JSON (application/scim+json or application/json), an
 * object, and no control character anywhere in it but tab, line feed and carriage return (which
 * one-line attributes refuse in their own checks), as the REST API's rule is.
 */
export const scimBody: MiddlewareHandler<ScimEnv> = async (c, next) => {
  if (c.req.method !== 'POST' && c.req.method !== 'PUT' && c.req.method !== 'PATCH') return next();
  const type = c.req.header('content-type');
  if (type && !/^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(type.trim()))
    return scimError(c, 415, null, 'Send the body as application/scim+json or application/json.');
  let body: unknown;
  try {
    body = JSON.parse(await c.req.text());
  } catch {
    return scimError(c, 400, 'invalidSyntax', 'The body is not valid JSON.');
  }
  if (!isObject(body)) return scimError(c, 400, 'invalidSyntax', 'The body is a JSON object.');
  const found = controlCharacterAt(body, []);
  if (found)
    return scimError(
      c,
      400,
      'invalidValue',
      `Remove the control character ${found.character} from ${found.path.join('.') || 'the body'}.`,
    );
  c.set('body', body);
  await next();
};

function controlCharacterAt(value: unknown, path: string[]): { path: string[]; character: string } | null {
  if (typeof value === 'string') {
    const character = controlCharacterIn(value, true);
    return character ? { path, character } : null;
  }
  if (value && typeof value === 'object')
    for (const [key, inner] of Object.entries(value)) {
      const character = controlCharacterIn(key, false);
      if (character) return { path: [...path, JSON.stringify(key)], character };
      const found = controlCharacterAt(inner, [...path, key]);
      if (found) return found;
    }
  return null;
}
