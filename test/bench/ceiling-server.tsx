import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { parseUserListQuery, type UserPage } from '../../src/users/list';
import { StaticListPage } from './static-page';

/**
 * The ceiling for the list benchmark: the same layout and table component, 25 static rows, no
 * database. The list page is judged as a share of this.
 */
const page: UserPage = {
  rows: Array.from({ length: 25 }, (_, i) => ({
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    name: `Static Person ${i}`,
    email: `static${i}@example.com`,
    status: 'Active' as const,
    lockedUntil: null,
    roles: ['Editor'],
    teams: ['Support'],
    lastLoginAt: new Date('2026-11-01T00:00:00Z'),
    createdAt: new Date('2026-01-01T00:00:00Z'),
    serviceAccount: false,
    source: null,
    directoryRemovedAt: null,
  })),
  total: { value: 1_000_000, exact: false },
  pos: 1,
  first: 'a',
  last: 'b',
  hasPrevious: false,
  hasNext: true,
};
const q = parseUserListQuery(new URLSearchParams());

const app = new Hono();
app.get('/ceiling', (c) => c.html(<StaticListPage q={q} page={page} />));

const port = Number(process.argv[2] ?? 3901);
serve({ fetch: app.fetch, hostname: '127.0.0.1', port }, () => console.log(`ceiling on ${port}`));
