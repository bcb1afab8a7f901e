import type { Child } from 'hono/jsx';
import type { Language } from '../src/db/schema';
import { messages } from '../src/i18n/messages';
import type { SessionMeta } from '../src/web/session-timeout';
import { DialogHost } from './components/dialog';
import { MainNav } from './components/main-nav';
import { ProjectSwitcher } from './components/project-switcher';

export interface Viewer {
  name: string;
  email: string;
  permissions: ReadonlySet<string>;
  projectId: string;
  projects: Array<{ id: string; name: string }>;
}

export interface LayoutProps {
  title: string;
  viewer: Viewer | null;
  flash?: string | null;
  /** The path of this page, for the current navigation item and the switcher's return. */
  path: string;
  /** The language of the page: an invitee's pages are in the invitation's language. */
  lang?: Language;
  /** How long the session has left: public/js/session.js warns before it ends. */
  session?: SessionMeta | null;
  children?: Child;
}

/** The whole page around a fragment: skip link, landmarks, the flash live region. */
export function Layout({ title, viewer, flash, path, lang = 'en', session, children }: LayoutProps) {
  const t = messages(lang);
  return (
    <html lang={lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        {/* Back and Forward reload the page: the filter form, chips and script state then always
            match the URL (htmx 4 would otherwise swap a fetched <body> under the running script). */}
        <meta name="htmx-config" content='{"includeIndicatorCSS":false,"history":"reload"}' />
        {session ? (
          <meta
            name="session-timeout"
            content={String(session.expiresIn)}
            data-kind={session.kind}
            data-keep-alive={session.keepAlive}
          />
        ) : null}
        <title>{`${title} · Gatehouse`}</title>
        <link rel="stylesheet" href="/public/css/app.css" />
        <link rel="icon" href="/public/favicon.svg" type="image/svg+xml" />
        <script src="/assets/htmx.min.js" defer />
        <script src="/public/js/app.js" defer />
        <script src="/public/js/session.js" defer />
      </head>
      <body>
        <a class="skip-link" href="#main">
          {t.skipLink}
        </a>
        <header class="site-header">
          <a class="brand" href="/">
            Gatehouse
          </a>
          {viewer ? <MainNav permissions={viewer.permissions} current={path} /> : null}
          {viewer ? (
            <ProjectSwitcher projects={viewer.projects} current={viewer.projectId} returnTo={path} />
          ) : null}
          {viewer ? (
            <div class="account-menu">
              <a href="/account" aria-current={path === '/account' ? 'page' : undefined}>
                My account<span class="visually-hidden">: {viewer.name}</span>
              </a>
              <form method="post" action="/logout">
                <button type="submit" class="button-link">
                  Sign out
                </button>
              </form>
            </div>
          ) : null}
        </header>
        <main id="main" tabindex={-1}>
          <div id="flash" class="flash-region" role="status" aria-live="polite">
            {flash ? <p class="flash">{flash}</p> : null}
          </div>
          {children}
        </main>
        {viewer ? <DialogHost /> : null}
        <footer class="site-footer">
          <p>{t.footer}</p>
        </footer>
      </body>
    </html>
  );
}
