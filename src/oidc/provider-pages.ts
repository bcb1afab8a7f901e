import type { KoaContextWithOIDC } from 'oidc-provider';

/*
 * The few pages the provider renders itself (an error it cannot send back to the application,
 * the sign-out question, the signed-out page): our stylesheet, our words, no inline script, and
 * the console's security headers (securityHeaders below), never the library's defaults.
 */

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** `error`: the title starts "Error: ", as the console's own error pages do (src/web/render.tsx). */
function page(title: string, body: string, error = false): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light dark">
<title>${error ? 'Error: ' : ''}${escapeHtml(title)} · Gatehouse</title><link rel="stylesheet" href="/public/css/app.css"></head>
<body><main id="main"><section><h1>${escapeHtml(title)}</h1>${body}</section></main></body></html>`;
}

export async function renderError(
  ctx: KoaContextWithOIDC,
  out: { error: string; error_description?: string },
): Promise<void> {
  ctx.type = 'html';
  ctx.body = page(
    'Sign-in could not continue',
    `<p>${escapeHtml(out.error_description ?? out.error)}</p><p>Go back to the application and start again.</p>`,
    true,
  );
}

export async function logoutSource(ctx: KoaContextWithOIDC, form: string): Promise<void> {
  const app = ctx.oidc.client?.clientName;
  ctx.type = 'html';
  ctx.body = page(
    'Sign out?',
    `<p>${app ? `${escapeHtml(app)} asks to sign you out of Gatehouse.` : 'Sign out of Gatehouse?'}</p>${form}
<div class="actions"><button type="submit" form="op.logoutForm" value="yes" name="logout">Sign out</button>
<button type="submit" form="op.logoutForm" class="button-secondary">Stay signed in</button></div>`,
  );
}

export async function postLogoutSuccessSource(ctx: KoaContextWithOIDC): Promise<void> {
  ctx.type = 'html';
  ctx.body = page('Signed out', '<p>You are signed out. <a href="/login">Sign in again</a></p>');
}

const HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

/** Before the provider's own handling, so that its errors carry them too. */
export async function securityHeaders(ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> {
  for (const [name, value] of Object.entries(HEADERS)) ctx.set(name, value);
  await next();
}
