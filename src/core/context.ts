import type { Config } from '../config';
import type { Db } from '../db/connect';
import type { JobQueue } from '../jobs/queue';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Who acts: a signed-in user (with the permissions read for this request), the CLI, or nobody. */
export type Actor =
  | {
      kind: 'user';
      id: string;
      email: string;
      name: string;
      projectId: string;
      permissions: ReadonlySet<string>;
      /**
       * Acting through an API token (src/api/): the token's own permission list (null: all of
       * the owner's). perform() refuses what the list leaves out, whatever the owner holds.
       */
      token?: {
        id: string;
        name: string;
        permissions: readonly string[] | null;
        /** The company directory provisioning through this token (SCIM, src/scim/). */
        directory?: boolean;
      };
    }
  | { kind: 'system'; label: string }
  | { kind: 'anonymous' };

export interface RequestMeta {
  ip: string | null;
  requestId: string | null;
  userAgent: string | null;
}

/** Everything a domain function needs, and nothing of HTTP. */
export interface ActionContext {
  db: Db;
  clock: Clock;
  config: Config;
  /** Email and long work are jobs written in the change's transaction; nothing waits for them. */
  jobs: JobQueue;
  actor: Actor;
  meta: RequestMeta;
  /** The session the request came with (web only): re-authentication is recorded on it. */
  sessionId?: string | null;
  /**
   * Written in the change's own transaction, after it succeeds (a long action records each
   * person's outcome this way, so a restart never finds a change without its report line).
   */
  alsoInTransaction?: (tx: Db) => Promise<void>;
}

export function actorLabel(actor: Actor): string {
  if (actor.kind === 'user') {
    if (actor.token?.directory) return `directory: ${actor.token.name}`;
    return actor.token ? `${actor.email} (API token “${actor.token.name}”)` : actor.email;
  }
  if (actor.kind === 'system') return actor.label;
  return 'anonymous';
}
