/**
 * `npm run bench:render`: the users page's components alone, no server and no database — the whole
 * page (layout, toolbar, 25 rows), the results part an htmx update sends, and the ceiling page of
 * `npm run bench` — in ms a render, so that markup changes can be weighed against the ceiling.
 */
import { raw } from 'hono/html';
import { parseUserListQuery } from '../../src/users/list';
import { Layout } from '../../views/layout';
import { usersView } from '../../views/users/list';
import { STATIC_ROWS, StaticListPage } from './static-page';

const page = STATIC_ROWS;
const q = parseUserListQuery(new URLSearchParams());
const perms = new Set([
  'users.view',
  'users.manage',
  'users.export',
  'invitations.manage',
  'account.settings',
  'teams.manage',
  'audit.view',
]);
// An Account Admin's view: every button and menu of the page.
const extra = {
  roles: Array.from({ length: 6 }, (_, i) => ({ id: `r${i}`, name: `Role ${i}` })),
  teams: Array.from({ length: 12 }, (_, i) => ({ id: `t${i}`, name: `Team ${i}` })),
};
const viewer = {
  name: 'Bench',
  email: 'b@example.com',
  permissions: perms,
  projectId: 'p',
  projects: [{ id: 'p', name: 'Default' }],
};
const full = () =>
  (
    <>
      {raw('<!DOCTYPE html>')}
      <Layout title="Users" viewer={viewer} path="/users">
        <usersView.Page q={q} page={page} viewer={{ permissions: perms, now: new Date() }} extra={extra} />
      </Layout>
    </>
  ).toString();
const results = () =>
  (
    <usersView.Results q={q} page={page} viewer={{ permissions: perms, now: new Date() }} extra={extra} />
  ).toString();
const ceiling = () => (<StaticListPage q={q} page={page} />).toString();
for (const [name, f] of [
  ['the users page', full],
  ['its results (an htmx update)', results],
  ['the ceiling page', ceiling],
] as const) {
  for (let i = 0; i < 300; i++) f();
  const t = performance.now();
  let n = 0;
  for (let i = 0; i < 2000; i++) n += String(f()).length;
  console.log(`${name}: ${((performance.now() - t) / 2000).toFixed(3)} ms a render, ${n / 2000} characters`);
}
