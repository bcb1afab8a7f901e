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
