import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { STATUS_TEXT, type StatusCode, StatusPage } from '../../views/components/status';
import { TimeZoneContext } from '../../views/components/time';
import { Layout, type Viewer } from '../../views/layout';
import type { Language } from '../db/schema';
import { messages } from '../i18n/messages';
import type { AppEnv } from './env';
import { sessionMeta } from './session-timeout';

const FLASH_COOKIE = '__Host-gh_flash';
const COOKIE_BASE = { path: '/', secure: true, httpOnly: true, sameSite: 'Strict' } as const;

/** An HTMX request wants the fragment; a history restore wants the whole page. */
export function isHtmx(c: Context): boolean {
  return c.req.header('HX-Request') === 'true' && c.req.header('HX-History-Restore-Request') !== 'true';
}

export function viewerOf<E extends AppEnv>(c: Context<E>): Viewer | null {
  const actor = c.get('actor');
  return actor?.kind === 'user' ? { ...actor, projects: c.get('projects') ?? [] } : null;
}

/**
 * A page's title says where the page is ("Ada Lovelace · Users"; the layout adds the site) and,
 * first, that something went wrong: a form shown again with its errors and an error page both
 * answer 4xx or 5xx, so the status alone marks them, in the page's language ("Error: …").
 */
export function pageTitle(title: string, status: number, lang: Language = 'en'): string {
  return status >= 400 ? messages(lang).errorTitle(title) : title;
}

/** One component serves both: the fragment alone for HTMX, wrapped in the layout otherwise. */
export function renderPage<E extends AppEnv>(
  c: Context<E>,
  page: { title: string; body: Child; status?: ContentfulStatusCode; lang?: Language },
) {
  const status = page.status ?? 200;
  if (isHtmx(c)) return renderFragment(c, page.body, status);
  return c.html(
    <>
      {raw('<!DOCTYPE html>')}
      <Layout
        title={pageTitle(page.title, status, page.lang)}
        viewer={viewerOf(c)}
        flash={c.get('flash')}
        path={c.req.path}
        lang={page.lang}
        session={sessionMeta(c)}
      >
        {inViewerZone(c, page.body)}
      </Layout>
    </>,
    status,
  );
}

/** A fragment on its own (HTMX), with times in the viewer's time zone as in a whole page. */
export function renderFragment<E extends AppEnv>(
  c: Context<E>,
  body: Child,
  status: ContentfulStatusCode = 200,
) {
  return c.html(inViewerZone(c, body), status);
}

/** `<Time>` inside shows the viewer's zone; UTC before loadActor has run (an early error page). */
const inViewerZone = <E extends AppEnv>(c: Context<E>, body: Child) => (
  <TimeZoneContext.Provider value={c.get('timeZone') ?? 'UTC'}>{body}</TimeZoneContext.Provider>
);

export function renderStatusPage<E extends AppEnv>(c: Context<E>, status: StatusCode, message?: string) {
  return renderPage(c, {
    title: STATUS_TEXT[status].title,
    body: <StatusPage status={status} requestId={c.get('requestId')} message={message} />,
    status,
  });
}

/** Post/redirect/get: the message shows once, on the next page, in the live region. */
export function redirectWithFlash<E extends AppEnv>(c: Context<E>, location: string, message: string) {
  setCookie(c, FLASH_COOKIE, message.slice(0, 500), { ...COOKIE_BASE, maxAge: 60 });
  return c.redirect(location, 303);
}

export function takeFlash<E extends AppEnv>(c: Context<E>): string | null {
  const value = getCookie(c, FLASH_COOKIE);
  if (value === undefined) return null;
  deleteCookie(c, FLASH_COOKIE, COOKIE_BASE);
  return value;
}

export { COOKIE_BASE };
