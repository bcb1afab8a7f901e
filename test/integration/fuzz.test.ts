import { beforeAll, describe, expect, it } from 'vitest';
import { PATH_PARAMS } from '../../src/web/path-params';
import { databaseKind } from '../helpers/database';
import { setUpApp } from '../helpers/set-up-app';
import { type Actor, actors, restore, setUpActors } from './fuzz/actors';
import { crawl } from './fuzz/crawl';
import { makeTargets } from './fuzz/pools';
import { SEED } from './fuzz/random';
import { rejectedButAuditedAsSuccess, summary } from './fuzz/report';
import { loadRoutes, routes } from './fuzz/routes';
import { fuzz } from './fuzz/run';

/**
 * The fuzz suite: every route of the app gets generated bad input in its form
 * fields, query parameters and path ids, as an Account Admin and as a Viewer (and anonymously on
 * the public routes, and as a session waiting for its code on the code step), from a seeded
 * PRNG. Nothing may answer 5xx or log an error (app.ts logs a value PostgreSQL refused even though
 * it answers 400), and no rejected (4xx) request may leave a `success` audit event: audit events
 * are matched to answers by request id.
 *
 * Field names come from the pages themselves: every GET page is crawled first (as the admin with
 * each real id, anonymously, and half signed in) and each <form>'s action is mapped to its route,
 * with the values its inputs and options offer; query parameters come from the links and GET
 * forms. Routes whose form was not found get a fallback set of field names. Requests that end
 * the fuzzing sessions (sign-out, deactivation, password resets, settings that require 2FA...)
 * are sent like any other: the sessions are put back when an answer shows them gone.
 *
 * A run prints its seed; FUZZ_SEED=<seed> replays the same choices (ids and tokens differ from
 * run to run, so a failure names the request it sent). FUZZ_REQUESTS changes the total.
 */

const TOTAL = Number(process.env.FUZZ_REQUESTS ?? 10_000);

const t = setUpApp();

beforeAll(async () => {
  loadRoutes(t.app);
  await setUpActors(t);
  await makeTargets(t, (actors.get('admin') as Actor).client);
  await crawl(t);
  await restore(t);
}, 120_000);

describe('fuzzing every route', () => {
  it('every path parameter has a rule (path-params.ts)', () => {
    const params = new Set(routes.flatMap((r) => r.params));
    expect([...params].filter((p) => !PATH_PARAMS[p])).toEqual([]);
  });

  it(`answers bad input with 4xx, never 5xx, and audits no rejected request as a success (${databaseKind})`, async () => {
    console.log(`fuzz seed ${SEED} (FUZZ_SEED=${SEED} reproduces it), ${TOTAL} requests on ${databaseKind}`);
    const run = await fuzz(t, TOTAL);
    const audited = await rejectedButAuditedAsSuccess(t, run.rejected);
    console.log(summary(run));
    const { failures, sent } = run;
    expect(failures, `seed ${SEED}: ${failures.length} requests answered 5xx or logged an error`).toEqual([]);
    expect(audited, `seed ${SEED}: rejected requests audited as a success`).toEqual([]);
    expect(sent).toBe(TOTAL);
  }, 300_000);
});
