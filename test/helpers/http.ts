import type { Hono } from 'hono';
import { PUBLIC_URL } from './app';

export type Form = Record<string, string | string[]>;

export interface SentRequest {
  method?: string;
  /** A list sends the field once per value, as a checkbox group does. */
  form?: Form;
  headers?: Record<string, string>;
  body?: BodyInit;
}

/**
 * A browser-like client for app.request(): keeps cookies, sends Origin on unsafe methods, and
 * never follows redirects (tests assert them).
 */
export class Client {
  readonly cookies = new Map<string, string>();

  // biome-ignore lint/suspicious/noExplicitAny: any app's env
  constructor(private readonly app: Hono<any>) {}

  async request(path: string, init: SentRequest = {}): Promise<Response> {
    const method = init.method ?? (init.form ? 'POST' : 'GET');
    const headers = new Headers(init.headers);
    if (method !== 'GET' && method !== 'HEAD' && !headers.has('origin')) headers.set('origin', PUBLIC_URL);
    if (this.cookies.size > 0 && !headers.has('cookie')) {
      headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    }
    let body = init.body;
    if (init.form) {
      body = new URLSearchParams(
        Object.entries(init.form).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]])),
      ).toString();
      headers.set('content-type', 'application/x-www-form-urlencoded');
    }
    const response = await this.app.request(new URL(path, PUBLIC_URL).toString(), { method, headers, body });
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  get(path: string, headers?: Record<string, string>) {
    return this.request(path, { headers });
  }

  post(path: string, form: Form, headers?: Record<string, string>) {
    return this.request(path, { method: 'POST', form, headers });
  }

  async signIn(email: string, password: string): Promise<Response> {
    return this.post('/login', { email, password });
  }
}
