import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApplication } from '../../src/oidc/applications';
import { startHostApp } from '../fixtures/host-app/server';
import { databaseKind } from '../helpers/database';
import { FIXTURE_PASSWORD, makeUser } from '../helpers/fixtures';
import { Browser } from '../helpers/oidc-browser';
import { startServer } from '../helpers/server';

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

describe(`the example host app signs people in through Gatehouse (${databaseKind})`, () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.close());

  it('lets a person into the areas their permissions claim allows and refuses the others', async () => {
    const role = await server.db
      .insertInto('roles')
      .values({ name: 'Report reader', permissions: ['reports.view'] })
      .returning('id')
      .executeTakeFirstOrThrow();
    const person = await makeUser(server.db, { name: 'Rita Reader' });
    await server.db
      .insertInto('role_bindings')
      .values({ user_id: person.id, role_id: role.id, project_id: null })
      .execute();
    const port = await freePort();
    const registered = await createApplication(server.system, {
      name: 'Host product',
      redirectUris: [`http://127.0.0.1:${port}/callback`],
      firstParty: true,
    });
    const host = await startHostApp({
      gatehouseUrl: server.url,
      clientId: registered.clientId,
      clientSecret: registered.clientSecret as string,
      port,
    });
    try {
      const browser = new Browser(server.url);
      const login = await browser.request(`${host.origin}/login`);
      expect(login.status).toBe(303);
      const toSignIn = await browser.follow(login.headers.get('location') as string);
      expect(toSignIn.url).toContain('/oidc/interaction/');
      const signedIn = await browser.signIn(toSignIn.url, person.email, FIXTURE_PASSWORD);
      const back = await browser.follow(signedIn.headers.get('location') as string);
      expect(back.url.startsWith(`${host.origin}/callback`)).toBe(true);
      expect((await browser.request(back.url)).status).toBe(303);
      const home = await (await browser.request(`${host.origin}/`)).text();
      expect(home).toContain('Signed in as Rita Reader');
      expect(home).toContain('Reports</a>: allowed');
      expect(home).toContain('Content</a>: refused');
      expect((await browser.request(`${host.origin}/areas/reports`)).status).toBe(200);
      expect((await browser.request(`${host.origin}/areas/content`)).status).toBe(403);
    } finally {
      await host.close();
    }
  });
});
