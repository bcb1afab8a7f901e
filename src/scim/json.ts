import type { Context } from 'hono';
import { SCIM_CONTENT_TYPE } from './errors';

/** A SCIM answer: JSON as application/scim+json. */
export function scimJson(c: Context, status: 200 | 201, body: unknown, headers: Record<string, string> = {}) {
  return c.body(JSON.stringify(body), status, { 'Content-Type': SCIM_CONTENT_TYPE, ...headers });
}
