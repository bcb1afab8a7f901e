import type { SessionUser } from '../auth/sessions/sessions';
import type { Config } from '../config';
import type { Actor, Clock, RequestMeta } from '../core/context';
import type { Db } from '../db/connect';
import type { JobQueue } from '../jobs/queue';
import type { OidcProvider } from '../oidc/provider';

/** What the app is built from: the same for the server, the tests and (minus HTTP) the CLI. */
export interface AppDeps {
  db: Db;
  /** The list's search and filter queries (DatabaseHandle.searchDb); `db` when not given. */
  searchDb?: Db;
  jobs: JobQueue;
  clock: Clock;
  config: Config;
  /** The OpenID provider (oidc/provider.ts): its interaction pages are mounted when given. */
  oidc?: OidcProvider;
  /** In-memory answers for the API's token and permission checks (api/access-cache.ts). */
  accessCache?: import('../api/access-cache').AccessCache | null;
  /** Where unexpected errors go; console.error unless a test listens. */
  logError?: (message: string, error: unknown) => void;
}

export interface AppEnv {
  Variables: {
    requestId: string;
    meta: RequestMeta;
    session: SessionUser | null;
    /** Seconds until the session ends if nothing happens; null without one (session-timeout.ts). */
    sessionExpiresIn: number | null;
    actor: Actor;
    flash: string | null;
    /** Where times are shown: the signed-in user's zone, else UTC. */
    timeZone: string;
    /** Projects the signed-in user may switch to, for the header. */
    projects: Array<{ id: string; name: string }>;
  };
}
