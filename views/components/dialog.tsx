import type { Child } from 'hono/jsx';

/**
 * A link to a confirmation page. With JavaScript, htmx fetches the page's fragment into the
 * layout's <dialog> and public/js/app.js opens it; without, the link opens the page itself.
 */
export function DialogLink({
  href,
  class: className,
  children,
}: {
  href: string;
  class?: string;
  children: Child;
}) {
  return (
    <a href={href} class={className} hx-get={href} hx-target="#dialog-body" data-dialog-opener="">
      {children}
    </a>
  );
}

/**
 * The one dialog of every page; empty until a DialogLink fills it. Its live region stays while
 * the body is replaced, so that a result arriving in the body can be announced.
 */
export function DialogHost() {
  return (
    <dialog id="dialog" class="dialog">
      <div id="dialog-body" />
      <div id="dialog-status" class="visually-hidden" role="status" />
    </dialog>
  );
}
