import type { TestApp } from '../../helpers/app';
import { type Actor, type ActorName, actors, restore, sessionLost } from './actors';
import { refreshPools } from './pools';
import { shuffle } from './random';
import { requestFor } from './requests';
import { type Route, routes } from './routes';

/**
 * Routes that hash or verify a password with Argon2 (tens of milliseconds each), or stream a
 * whole list (the exports, which grow with the audit log the fuzzing writes), get a few requests
 * per actor, so that 10,000 requests stay under a minute on PGlite.
 */
const COSTLY = new Set([
  'GET /users/export.csv',
  'GET /users/export.json',
  'GET /invitations/export.csv',
  'GET /invitations/export.json',
  'GET /audit/export.csv',
  'GET /audit/export.json',
  'POST /login',
  'POST /forgot-password',
  'POST /set-password/:token',
  'POST /reset-password/:token',
  'POST /account/password',
  'POST /account/confirm',
  'POST /account/two-factor/remove',
  'POST /invite/:token/sign-up',
  'POST /invite/:token/finish',
]);
const COSTLY_QUOTA = 6;

/** Every (route, actor) pair: the admin and the viewer everywhere, and who else a route is for. */
function pairsToFuzz(): Array<[Route, ActorName]> {
  return routes.flatMap((route): Array<[Route, ActorName]> => {
    if (route.requirement === 'public')
      return ['admin', 'viewer', 'anonymous'].map((who) => [route, who as ActorName]);
    if (route.requirement === 'second-factor')
      return ['pending', 'viewer'].map((who) => [route, who as ActorName]);
    return ['admin', 'viewer'].map((who) => [route, who as ActorName]);
  });
}

/**
 * Sends `total` requests, the (route, actor) pairs in a shuffled order round after round: each
 * answer's status, what was sent for each 4xx (by request id), and every 5xx or logged error.
 */
export async function fuzz(t: TestApp, total: number) {
  const started = performance.now();
  const failures: string[] = [];
  /** Request id of each 4xx answer: what was sent. */
  const rejected = new Map<string, string>();
  const statuses = new Map<number, number>();
  const costly = new Map<string, number>();
  let sent = 0;
  let restores = 0;
  const pairs = pairsToFuzz();
  while (sent < total) {
    for (const [route, who] of shuffle(pairs)) {
      if (sent >= total) break;
      if (COSTLY.has(route.key)) {
        const used = costly.get(`${who} ${route.key}`) ?? 0;
        if (used >= COSTLY_QUOTA) continue;
        costly.set(`${who} ${route.key}`, used + 1);
      }
      const actor = actors.get(who) as Actor;
      const { path, init } = requestFor(route);
      const errorsBefore = t.errors.length;
      const response = await actor.client.request(path, init);
      await response.arrayBuffer();
      sent++;
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      const requestId = response.headers.get('x-request-id') ?? '';
      const sentAs = `${who} ${route.method} ${path}${typeof init.body === 'string' ? ` body=${JSON.stringify(init.body.slice(0, 300))}` : ''}`;
      const logged = t.errors.slice(errorsBefore);
      if (response.status >= 500 || logged.length > 0) {
        const errors = logged.map((e) => `${e.message}: ${String((e.error as Error)?.message ?? e.error)}`);
        failures.push(`${response.status} ${sentAs} request=${requestId} ${errors.join(' | ')}`);
      }
      if (response.status >= 400 && response.status < 500) rejected.set(requestId, sentAs);
      if (sessionLost(actor, route, response)) {
        restores++;
        await restore(t, actor);
      }
      if (sent % 250 === 0) await restore(t);
      if (sent % 500 === 0) await refreshPools(t, (actors.get('admin') as Actor).client);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    sent,
    restores,
    failures,
    rejected,
    statuses,
    routes: new Set(pairs.map(([r]) => r.key)).size,
    seconds,
  };
}
