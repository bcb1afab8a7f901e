import { raw } from 'hono/html';
import type { UserListQuery, UserPage } from '../../src/users/list';
import { Layout } from '../../views/layout';
import { UserResults } from '../../views/users/list';

const viewer = {
  name: 'Bench',
  email: 'bench@example.com',
  permissions: new Set(['users.view']),
  projectId: 'p',
  projects: [],
};

/** The users list's layout and table component around a given page: the benchmarks' yardstick. */
export function StaticListPage({ q, page }: { q: UserListQuery; page: UserPage }) {
  return (
    <>
      {raw('<!DOCTYPE html>')}
      <Layout title="Users" viewer={viewer} path="/users">
        <section>
          <h1>Users</h1>
          <UserResults
            q={q}
            page={page}
            viewer={{ permissions: viewer.permissions, now: new Date() }}
            extra={{ roles: [], teams: [] }}
          />
        </section>
      </Layout>
    </>
  );
}

/** 25 static rows: the ceiling page's (ceiling-server.tsx, ladder.tsx). */
export const STATIC_ROWS: UserPage = {
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
