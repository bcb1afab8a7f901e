import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import type { AppEnv } from './env';
import { renderStatusPage } from './render';

/** No inline script or style anywhere, so the policy needs neither nonces nor unsafe-*. */
const POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  formAction: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  frameAncestors: ["'none'"],
};

/**
 * The policy of a page whose form may lead on, through our redirects, to one more place: an
 * application's sign-in form ends at the app's redirect URI, and browsers hold every redirect
 * after a form to form-action. Only the origin (or a custom scheme) is given: CSP matches
 * redirects by origin. Set as the response's own header, which securityHeaders leaves alone.
 */
export function policyWithFormTarget(uri: string): string {
  let source = '';
  try {
    const url = new URL(uri);
    source = url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : url.protocol;
  } catch {
    // Not a URL: nothing is added.
  }
  return Object.entries({ ...POLICY, formAction: [...POLICY.formAction, source].filter(Boolean) })
    .map(([name, sources]) => `${name.replace(/[A-Z]/g, (l) => `-${l.toLowerCase()}`)} ${sources.join(' ')}`)
    .join('; ');
}

export const securityHeaders = secureHeaders({
  contentSecurityPolicy: POLICY,
  strictTransportSecurity: 'max-age=31536000; includeSubDomains',
  referrerPolicy: 'same-origin',
  xFrameOptions: 'DENY',
  crossOriginOpenerPolicy: 'same-origin',
  permissionsPolicy: { camera: [], microphone: [], geolocation: [], payment: [] },
  // A route's own header wins (token pages send Referrer-Policy: no-referrer).
  overwrite: false,
});

/**
 * Dynamic responses are never cached: they carry who is signed in and what they may see. Set on
 * the response's headers, not with c.header(): after the handler, c.header() rebuilds the response
 * from its body, which turned every page into a stream and cost a third of a request's CPU.
 */
export const noStore: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  if (!c.res.headers.has('Cache-Control')) c.res.headers.set('Cache-Control', 'no-store');
};

const AUTH_BODY_LIMIT = 8 * 1024;
const BODY_LIMIT = 64 * 1024;
// The sign-in forms, the console's and an application's (/oidc/interaction/<uid>).
const AUTH_PATHS = /^\/(login|logout|set-password|oidc\/interaction)(\/|$)/;

const onTooLarge = (c: Parameters<typeof renderStatusPage>[0]) => renderStatusPage(c, 413);
const authLimit = bodyLimit({ maxSize: AUTH_BODY_LIMIT, onError: onTooLarge });
const defaultLimit = bodyLimit({ maxSize: BODY_LIMIT, onError: onTooLarge });

/** Every route has a body limit; the unauthenticated forms get a small one. */
export const bodyLimits: MiddlewareHandler<AppEnv> = (c, next) =>
  AUTH_PATHS.test(c.req.path) ? authLimit(c, next) : defaultLimit(c, next);
