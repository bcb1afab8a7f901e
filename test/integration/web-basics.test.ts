import { beforeAll, describe, expect, it } from 'vitest';
import { guard } from '../../src/web/guard';
import { Client } from '../helpers/http';
import { setUpApp } from '../helpers/set-up-app';

const t = setUpApp();
beforeAll(async () => {
  t.app.get('/test/explode/:secret', guard(t.deps, 'public'), () => {
    throw new Error('boom');
  });
  t.app.get('/test/explode', guard(t.deps, 'public'), () => {
    throw new Error('boom: secret detail');
  });
});

describe('security headers', () => {
  it('sends a strict CSP and the other secure headers on every page', async () => {
    const response = await new Client(t.app).get('/login');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    for (const directive of [
      "default-src 'self'",
      "script-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ]) {
      expect(csp).toContain(directive);
    }
    expect(response.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('same-origin');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('ignores a request id sent by the client', async () => {
    const response = await new Client(t.app).get('/login', { 'x-request-id': 'forged-id' });
    expect(response.headers.get('x-request-id')).not.toBe('forged-id');
  });

  it('serves htmx and the stylesheet from this origin, cacheable', async () => {
    const client = new Client(t.app);
    const htmx = await client.get('/assets/htmx.min.js');
    expect(htmx.status).toBe(200);
    expect(htmx.headers.get('content-type')).toContain('javascript');
    expect(await htmx.text()).toContain('4.0.1');
    const css = await client.get('/public/css/app.css');
    expect(css.status).toBe(200);
    expect(css.headers.get('cache-control')).toBe('public, max-age=3600');
    for (const path of [
      '/public/..%2fpackage.json',
      '/public/%2e%2e/package.json',
      '/public/..%5cpackage.json',
    ]) {
      const response = await client.get(path);
      expect(response.status, path).toBe(404);
      expect(await response.text()).not.toContain('"name": "gatehouse"');
    }
  });
});

describe('CSRF', () => {
  it('refuses a form POST from another origin or with no origin', async () => {
    const evil = await new Client(t.app).post(
      '/login',
      { email: 'a@b.c', password: 'x' },
      { origin: 'https://evil.example' },
    );
    expect(evil.status).toBe(403);
    const none = await t.app.request('http://localhost:3000/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=a%40b.c&password=x',
    });
    expect(none.status).toBe(403);
    const same = await new Client(t.app).post('/login', { email: 'a@b.c', password: 'x' });
    expect(same.status).toBe(401);
  });

  it('trusts the configured public origin, not the Host header', async () => {
    const response = await t.app.request('http://attacker.example/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://attacker.example' },
      body: 'email=a%40b.c&password=x',
    });
    expect(response.status).toBe(403);
  });
});

describe('limits and error pages', () => {
  it('refuses a large body on the sign-in form with 413', async () => {
    const response = await new Client(t.app).post('/login', { email: 'a@b.c', password: 'x'.repeat(20_000) });
    expect(response.status).toBe(413);
    expect(await response.text()).toContain('Request too large');
  });

  it('renders a 404 page within the layout', async () => {
    const response = await new Client(t.app).get('/no/such/page');
    expect(response.status).toBe(404);
    const html = await response.text();
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<h1>Page not found</h1>');
    expect(html).toContain('Skip to main content');
  });

  it('renders a 500 page with the request id and logs the detail, not showing it', async () => {
    const response = await new Client(t.app).get('/test/explode');
    expect(response.status).toBe(500);
    const html = await response.text();
    const id = response.headers.get('x-request-id') as string;
    expect(html).toContain(`<code>${id}</code>`);
    expect(html).not.toContain('secret detail');
    expect(t.errors.at(-1)?.message).toContain(id);
    expect(String(t.errors.at(-1)?.error)).toContain('boom: secret detail');
  });
});

describe('unreadable bodies', () => {
  it('answers a malformed form with 400 and never logs a token from the path', async () => {
    const token = 'T'.repeat(43);
    const response = await new Client(t.app).request(`/set-password/${token}`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data' },
      body: 'no boundary here',
    });
    expect(response.status).toBe(400);
    expect(JSON.stringify(t.errors.map((e) => e.message))).not.toContain(token);
  });

  it('logs the route pattern, not the path, for an unexpected error', async () => {
    await new Client(t.app).get('/test/explode/very-secret-token');
    expect(t.errors.at(-1)?.message).toContain('/test/explode/:secret');
    expect(t.errors.at(-1)?.message).not.toContain('very-secret-token');
  });
});

describe('health', () => {
  it('answers /healthz and /readyz without a session', async () => {
    const client = new Client(t.app);
    expect(await (await client.get('/healthz')).text()).toBe('ok');
    const ready = await client.get('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.text()).toBe('ready');
  });
});
