/**
 * A browser's part of the OpenID code flow, without a browser: follows redirects (and our
 * "continue" pages' Refresh header) by hand and keeps the cookies (paths ignored: every cookie
 * goes everywhere, which only makes it easier to pass). The tests and `npm run bench:oidc` use it.
 */
export class Browser {
  cookies = new Map<string, string>();
  /** `extra`: headers sent with every request (the bench's X-Forwarded-For, one address a person). */
  constructor(
    private readonly origin: string,
    private readonly extra: Record<string, string> = {},
  ) {}

  async request(url: string, init: RequestInit = {}) {
    const headers = new Headers(init.headers);
    for (const [name, value] of Object.entries(this.extra)) headers.set(name, value);
    if (this.cookies.size > 0)
      headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const response = await fetch(new URL(url, this.origin), { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  /** Follows redirects until one leaves the origin (the app's callback) or a page answers. */
  async follow(url: string): Promise<{ url: string; response: Response }> {
    let at = url;
    for (let hops = 0; hops < 20; hops++) {
      const response = await this.request(at);
      // Our "continue" pages move on with a Refresh header, as a browser follows it.
      const refresh = /^0; url=(.+)$/.exec(response.headers.get('refresh') ?? '')?.[1];
      const location = response.headers.get('location') ?? refresh;
      if (!location || (!refresh && (response.status < 300 || response.status >= 400)))
        return { url: at, response };
      const next = new URL(location, new URL(at, this.origin)).toString();
      if (!next.startsWith(this.origin)) return { url: next, response };
      at = next;
    }
    throw new Error('too many redirects');
  }

  signIn(path: string, email: string, password: string) {
    return this.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: this.origin },
      body: new URLSearchParams({ email, password }).toString(),
    });
  }
}
