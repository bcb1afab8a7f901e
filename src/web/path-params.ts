import type { Context } from 'hono';
import { z } from 'zod';

const uuid = z.uuid();
const isUuid = (value: string) => uuid.safeParse(value).success;

/**
 * What each path parameter of the app may be, checked by the guard (guard.ts) before the route
 * runs: a value that cannot name anything is answered 404, as an unknown one is, and never
 * reaches a query (PostgreSQL refuses a malformed uuid or a NUL with an error). A token is
 * checked for its shape and looked up by its hash (one-time-tokens.ts, invitations), and its
 * routes answer a malformed one as an unknown one, with a page that says what to do.
 * test/integration/fuzz.test.ts checks that every parameter of the app's routes is listed here
 * (a name that is not, such as a test's own route, is not checked).
 */
export const PATH_PARAMS: Record<string, (value: string) => boolean> = {
  id: isUuid,
  userId: isUuid,
  teamId: isUuid,
  /** A session: 15 random bytes in base64url (auth/sessions/sessions.ts). */
  sessionId: (value) => /^[A-Za-z0-9_-]{20}$/.test(value),
  /** An audit event: a bigint, in JavaScript's safe integers. */
  eventId: (value) => /^[1-9]\d{0,14}$/.test(value),
  token: () => true,
  /** A service account whose token pages these are. */
  owner: isUuid,
  /** An API token's id: 15 random bytes in base64url (api/tokens.ts). */
  tokenId: (value) => /^[A-Za-z0-9_-]{20}$/.test(value),
};

/** True when every parameter of the route's path is a value it could name something by. */
export function pathParamsValid(c: Context): boolean {
  const params = c.req.param() as Record<string, string>;
  return Object.entries(params).every(([name, value]) => PATH_PARAMS[name]?.(value) ?? true);
}
