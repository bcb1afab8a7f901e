import { type SqlBool, sql } from 'kysely';
import { z } from 'zod';
import { perform } from '../audit/perform';
import type { MailState } from '../db/schema';
import { cappedCount } from '../lists/count';
import { defineList, fixedOrder, type ListCall, type ListQuery, type Walk } from '../lists/definition';
import { applyFilters, filterFor } from '../lists/filters';
import {
  containsPattern,
  cursorTime,
  cursorValue,
  decodeCursor,
  encodeCursor,
  isRealInstant,
} from '../lists/paging';
import { manyOf, text } from '../lists/params';
import { type MailSummary, mailStatusText } from './status';

/**
 * The Email page: recent messages, newest first, with what became of each, so that "did it
 * arrive?" has an answer. Messages are not in any project, so the page is for those who manage
 * users account-wide; anyone else sees no rows. After "Reset all passwords" there may be a
 * million, so the count is capped as on the users list.
 */

export const MAIL_STATES = {
  queued: 'Waiting to be sent',
  sent: 'Sent',
  delivered: 'Delivered',
  delayed: 'Delayed',
  bounced: 'Bounced',
  complained: 'Marked as spam',
  failed: 'Not sent',
} as const satisfies Record<MailState, string>;

const filter = filterFor();

const MAIL_FILTERS = {
  q: filter({
    param: text('q', 200),
    bind: containsPattern,
    where: (pattern) => sql<SqlBool>`lower(m.recipient) like ${pattern}`,
  }),
  states: filter({
    param: manyOf('state', MAIL_STATES),
    where: (states) => sql<SqlBool>`m.state in (${sql.join(states)})`,
  }),
};
type MailFilters = typeof MAIL_FILTERS;
export type MailListQuery = ListQuery<MailFilters, 'time'>;
type Call = ListCall<MailFilters>;

export interface ListedMail extends MailSummary {
  id: string;
  recipient: string;
  subject: string;
  createdAt: Date;
  userId: string | null;
  invitationId: string | null;
  attempts: number;
}

function matching(call: Call, q: MailListQuery) {
  const rows = call.db.selectFrom('mail_messages as m');
  const scoped = call.scope.all ? rows : rows.where(sql<SqlBool>`false`);
  return applyFilters(scoped, call.filters, q, call);
}

const uuid = z.uuid();
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(\d{3})?Z$/;

function cursorOf(value: string | null): { createdAt: string; id: string } | null {
  const parts = decodeCursor(value, 2);
  if (!parts) return null;
  const [created, id] = parts as [string, string];
  if (!ISO.test(created) || !isRealInstant(created) || !uuid.safeParse(id).success) return null;
  return { createdAt: created, id };
}

async function mailRows(call: Call, q: MailListQuery): Promise<Walk<ListedMail>> {
  const after = cursorOf(q.after);
  const before = after ? null : cursorOf(q.before);
  const backwards = before !== null || (q.last && !after);
  let query = matching(call, q)
    .selectAll('m')
    .select(cursorTime(sql.ref('m.created_at')).as('cursor_at'));
  if (after)
    query = query.where(
      sql<SqlBool>`(m.created_at, m.id) < (${cursorValue(after.createdAt)}, ${after.id}::uuid)`,
    );
  else if (before)
    query = query.where(
      sql<SqlBool>`(m.created_at, m.id) > (${cursorValue(before.createdAt)}, ${before.id}::uuid)`,
    );
  query = backwards
    ? query.orderBy('m.created_at', 'asc').orderBy('m.id', 'asc')
    : query.orderBy('m.created_at', 'desc').orderBy('m.id', 'desc');
  const rows = await query.limit(q.per + 1).execute();
  const page = rows.slice(0, q.per);
  if (backwards) page.reverse();
  const cursor = (row: (typeof page)[number] | undefined) =>
    row ? encodeCursor([row.cursor_at, row.id]) : null;
  return {
    rows: page.map((m) => ({
      id: m.id,
      kind: m.kind,
      recipient: m.recipient,
      subject: m.subject,
      state: m.state,
      reason: m.reason,
      at: m.updated_at,
      createdAt: m.created_at,
      userId: m.user_id,
      invitationId: m.invitation_id,
      attempts: m.attempts,
    })),
    more: rows.length > q.per,
    backwards,
    first: cursor(page[0]),
    last: cursor(page.at(-1)),
  };
}

export const mailList = defineList({
  name: 'email',
  noun: 'emails',
  permission: 'users.manage',
  scope: 'granted',
  filters: MAIL_FILTERS,
  sort: { keys: { time: fixedOrder('newest first') }, default: 'time' },
  columns: [
    { key: 'time', label: 'Queued' },
    { key: 'recipient', label: 'Recipient' },
    { key: 'subject', label: 'Subject' },
    { key: 'state', label: 'What became of it' },
  ],
  count: (call, q) => cappedCount(call.db, matching(call, q)),
  rows: mailRows,
  export: {
    permission: 'users.manage',
    record: (ctx, event) => perform(ctx, 'mail.export', async () => event),
    columns: {
      id: (m: ListedMail) => m.id,
      queued: (m) => m.createdAt.toISOString(),
      recipient: (m) => m.recipient,
      subject: (m) => m.subject,
      kind: (m) => m.kind,
      state: (m) => m.state,
      reason: (m) => m.reason ?? '',
      attempts: (m) => m.attempts,
      updated: (m) => m.at.toISOString(),
      status: (m) => mailStatusText(m),
    },
  },
});
