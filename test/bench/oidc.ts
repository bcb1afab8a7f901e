/**
 * `npm run bench:oidc`: Gatehouse as an OpenID provider, on the bench database (harness.ts;
 * 1,000,000 users on PostgreSQL), the production bundle with WORKERS=false, measured side by side
 * in one run against Keycloak's published sizing (per vCPU: 120 refresh-token grants a second, 15
 * password sign-ins a second; the goal is twice that per core of this machine):
 * 1. the full code flow (authorize → our sign-in with a password → code → token, by openid-client),
 *    8 at a time for BENCH_SECONDS, flows a second;
 * 2. refresh-token grants with rotation, 32 connections, grants a second and p99;
 * 3. JWKS and discovery, served from memory, with autocannon.
 * Each person signs in from an address of their own (X-Forwarded-For, TRUST_PROXY=true), as the
 * per-address rate limit expects of real people.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import * as client from 'openid-client';
import { defaultProjectId } from '../../src/access/grants';
import { Jobs } from '../../src/jobs/queue';
import { createApplication } from '../../src/oidc/applications';
import { SEED_PASSWORD } from '../../src/users/seed';
import { Browser } from '../helpers/oidc-browser';
import {
  appEnv,
  benchSystem,
  buildApp,
  DURATION,
  freePort,
  load,
  openBench,
  percentile,
  runBench,
  startApp,
  waitFor,
} from './harness';

const FLOW_CONCURRENCY = 8;
const REFRESH_CONNECTIONS = 32;

/**
 * CPU seconds the server process has used (user + system, from /proc): Keycloak's figures are
 * per vCPU of Keycloak itself, so ours are per CPU-second of the Gatehouse process (a Node
 * process uses one core; the database and this load generator share the machine's others).
 */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function main() {
  const { url, database, db, config } = await openBench();
  const jobs = await Jobs.start(database, { supervise: false });
  // bench:jobs resets every password; the seeded ones work again here (as it does at its start).
  await db
    .updateTable('account_settings')
    .set({ require_two_factor: false, passwords_reset_at: null, passwords_reset_by: null })
    .execute();
  const project = await defaultProjectId(db);
  // People who can sign in with the seeded password and nothing else in the way.
  const people = (
    await db
      .selectFrom('users')
      .select('email')
      .where('password_hash', 'is not', null)
      .where('totp_secret', 'is', null)
      .where('deactivated_at', 'is', null)
      .where('access_expires_at', 'is', null)
      .where('locked_until', 'is', null)
      .where('must_enrol_two_factor', '=', false)
      // With a role in the project the app serves (the bench has one): others are refused.
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('role_bindings as b')
            .select('b.id')
            .whereRef('b.user_id', '=', 'users.id')
            .where((w) => w.or([w('b.project_id', 'is', null), w('b.project_id', '=', project)])),
        ),
      )
      .limit(2000)
      .execute()
  ).map((p) => p.email);
  if (people.length < 100) throw new Error('the bench database has too few people who can sign in');

  buildApp();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = { ...appEnv(url, port), WORKERS: 'false', TRUST_PROXY: 'true', PUBLIC_URL: base };
  const server = startApp(env);
  try {
    await waitFor(`${base}/healthz`);
    const redirectUri = 'http://127.0.0.1:9/callback';
    const ctx = benchSystem(db, { ...config, publicUrl: base }, jobs);
    const app = await createApplication(ctx, {
      name: `Bench ${Date.now()}`,
      redirectUris: [redirectUri],
      firstParty: true,
    });
    const oidc = await client.discovery(new URL(base), app.clientId, app.clientSecret as string, undefined, {
      execute: [client.allowInsecureRequests],
    });

    let person = 0;
    const flow = async (scope: string) => {
      const n = person++;
      const email = people[n % people.length] as string;
      const browser = new Browser(base, {
        'x-forwarded-for': `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
      });
      const verifier = client.randomPKCECodeVerifier();
      const authorize = client.buildAuthorizationUrl(oidc, {
        redirect_uri: redirectUri,
        scope,
        prompt: 'consent',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      });
      const toLogin = await browser.follow(authorize.toString());
      const signedIn = await browser.signIn(toLogin.url, email, SEED_PASSWORD);
      if (signedIn.status !== 303) throw new Error(`sign-in answered ${signedIn.status}`);
      const back = await browser.follow(signedIn.headers.get('location') as string);
      return client.authorizationCodeGrant(oidc, new URL(back.url), { pkceCodeVerifier: verifier });
    };

    console.log(`\n== full code flow, ${FLOW_CONCURRENCY} at a time for ${DURATION} s`);
    const flowTimes: number[] = [];
    let flowErrors = 0;
    const flowCpu = cpuSeconds(server.pid as number);
    const until = Date.now() + DURATION * 1000;
    await Promise.all(
      Array.from({ length: FLOW_CONCURRENCY }, async () => {
        while (Date.now() < until) {
          const started = performance.now();
          try {
            await flow('openid email');
            flowTimes.push(performance.now() - started);
          } catch (error) {
            flowErrors++;
            if (flowErrors < 3) console.error(error);
          }
        }
      }),
    );
    const cores = availableParallelism();
    const flowsPerSecond = flowTimes.length / DURATION;
    const flowsPerCpu = flowTimes.length / (cpuSeconds(server.pid as number) - flowCpu);
    console.log(
      `code flows ${flowsPerSecond.toFixed(1)} a second (p50 ${percentile(flowTimes, 50).toFixed(0)} ms, ` +
        `p99 ${percentile(flowTimes, 99).toFixed(0)} ms, errors ${flowErrors}); ` +
        `${flowsPerCpu.toFixed(1)} per CPU-second of the server, against Keycloak's 15 per vCPU: ` +
        `${(flowsPerCpu / 15).toFixed(2)}x (goal 2x; this machine has ${cores} cores)`,
    );

    console.log(
      `\n== refresh-token grants with rotation, ${REFRESH_CONNECTIONS} connections for ${DURATION} s`,
    );
    const refreshTokens: string[] = [];
    for (let i = 0; i < REFRESH_CONNECTIONS; i++)
      refreshTokens.push((await flow('openid offline_access')).refresh_token as string);
    const refreshTimes: number[] = [];
    let refreshErrors = 0;
    const refreshCpu = cpuSeconds(server.pid as number);
    const refreshUntil = Date.now() + DURATION * 1000;
    await Promise.all(
      refreshTokens.map(async (first) => {
        let token = first;
        while (Date.now() < refreshUntil) {
          const started = performance.now();
          try {
            token = (await client.refreshTokenGrant(oidc, token)).refresh_token as string;
            refreshTimes.push(performance.now() - started);
          } catch (error) {
            refreshErrors++;
            if (refreshErrors < 3) console.error(error);
            return;
          }
        }
      }),
    );
    const refreshesPerSecond = refreshTimes.length / DURATION;
    const refreshesPerCpu = refreshTimes.length / (cpuSeconds(server.pid as number) - refreshCpu);
    console.log(
      `refresh grants ${refreshesPerSecond.toFixed(0)} a second (p50 ${percentile(refreshTimes, 50).toFixed(0)} ms, ` +
        `p99 ${percentile(refreshTimes, 99).toFixed(0)} ms, errors ${refreshErrors}); ` +
        `${refreshesPerCpu.toFixed(0)} per CPU-second of the server, against Keycloak's 120 per vCPU: ` +
        `${(refreshesPerCpu / 120).toFixed(2)}x (goal 2x)`,
    );

    console.log('\n== JWKS and discovery');
    await load('jwks', base, ['/oidc/jwks']);
    await load('discovery', base, ['/.well-known/openid-configuration']);
  } finally {
    server.kill('SIGTERM');
    await jobs.stop();
    await database.close();
  }
}

runBench(main);
