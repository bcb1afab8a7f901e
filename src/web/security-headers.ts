import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import type { AppEnv } from './env';
import { renderStatusPage } from './render';

/** No inline script or style anywhere, so the policy needs neither nonces nor unsafe-*. */
export const securityHeaders = secureHeaders({
  contentSecurityPolicy: {
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
  },
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
const AUTH_PATHS = /^\/(login|logout|set-password)(\/|$)/;

const onTooLarge = (c: Parameters<typeof renderStatusPage>[0]) => renderStatusPage(c, 413);
const authLimit = bodyLimit({ maxSize: AUTH_BODY_LIMIT, onError: onTooLarge });
const defaultLimit = bodyLimit({ maxSize: BODY_LIMIT, onError: onTooLarge });

/** Every route has a body limit; the unauthenticated forms get a small one. */
export const bodyLimits: MiddlewareHandler<AppEnv> = (c, next) =>
  AUTH_PATHS.test(c.req.path) ? authLimit(c, next) : defaultLimit(c, next);
