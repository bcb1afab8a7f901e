import type { TestApp } from '../../helpers/app';
import { databaseKind } from '../../helpers/database';
import type { fuzz } from './run';

/** The success events of requests answered 4xx, each with what was sent (matched by request id). */
export async function rejectedButAuditedAsSuccess(t: TestApp, rejected: Map<string, string>) {
  const successes = await t.db
    .selectFrom('audit_events')
    .select(['request_id', 'action'])
    .where('outcome', '=', 'success')
    .where('request_id', 'is not', null)
    .execute();
  return successes
    .filter((e) => rejected.has(e.request_id as string))
    .map((e) => `${e.action} for ${rejected.get(e.request_id as string)} (request ${e.request_id})`);
}

/** One line for the log: requests, routes, time, sessions restored and the count of each status. */
export function summary(run: Awaited<ReturnType<typeof fuzz>>): string {
  const { sent, routes, seconds, restores, statuses } = run;
  return (
    `fuzz: ${sent} requests to ${routes} routes in ${seconds.toFixed(1)} s on ` +
    `${databaseKind}, ${restores} sessions restored; ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`
  );
}
