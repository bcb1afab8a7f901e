import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { parseUserListQuery } from '../../src/users/list';
import { STATIC_ROWS, StaticListPage } from './static-page';

/**
 * The ceiling for the list benchmark: the same layout and table component, 25 static rows, no
 * database. The list page is judged as a share of this.
 */
const q = parseUserListQuery(new URLSearchParams());

const app = new Hono();
app.get('/ceiling', (c) => c.html(<StaticListPage q={q} page={STATIC_ROWS} />));

const port = Number(process.argv[2] ?? 3901);
serve({ fetch: app.fetch, hostname: '127.0.0.1', port }, () => console.log(`ceiling on ${port}`));
