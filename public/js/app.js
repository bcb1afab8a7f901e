// Progressive enhancement only: every page works without this file. Loaded with defer; CSP-safe.
(() => {
  // A form that failed validation: move focus to its error summary so it is read first.
  const summary = document.querySelector('.error-summary');
  if (summary instanceof HTMLElement) summary.focus();

  // Confirmation dialogs: htmx has put a confirmation page's fragment into #dialog-body. Open
  // it as a modal <dialog> (focus moves in, Escape closes), and give focus back to the link.
  const dialog = document.getElementById('dialog');
  let opener = null;

  document.addEventListener('htmx:after:swap', (event) => {
    const source = event.target;
    if (
      source instanceof Element &&
      source.hasAttribute('data-dialog-opener') &&
      dialog instanceof HTMLDialogElement
    ) {
      opener = source;
      const title = dialog.querySelector('#dialog-title');
      if (title) dialog.setAttribute('aria-labelledby', 'dialog-title');
      if (!dialog.open) dialog.showModal();
      const first = dialog.querySelector('input, button, a[href], select, textarea');
      if (first instanceof HTMLElement) first.focus();
      return;
    }
    const target = source instanceof Element ? source : document;
    const errors = target.querySelector('.error-summary');
    if (errors instanceof HTMLElement) {
      errors.focus();
      return;
    }
    // A form in the dialog answered with its result (the invite dialog): the form that had focus
    // is gone, so focus goes to the result's heading, and the dialog's live region, present since
    // the dialog opened, reads the outcome.
    if (source instanceof Element && source.id === 'dialog-body') {
      const heading = source.querySelector('#dialog-title[tabindex]');
      if (heading instanceof HTMLElement) heading.focus();
      const result = source.querySelector('[data-announce]');
      const status = document.getElementById('dialog-status');
      if (result && status) status.textContent = result.getAttribute('data-announce');
    }
  });

  document.addEventListener('click', (event) => {
    const cancel =
      event.target instanceof Element ? event.target.closest('#dialog [data-dialog-cancel]') : null;
    if (cancel && dialog instanceof HTMLDialogElement) {
      event.preventDefault();
      dialog.close();
    }
  });

  // Lists (users, invitations, audit): a sort header or page link is replaced with the table, and
  // focus would fall to the body. Give it to the same control in the new fragment (their ids are
  // stable), or to the caption when that control is gone or disabled (Next on the last page). The
  // server's out-of-band fragment puts the new order and range in the live region.
  // A list's container is the element the fragment replaces: #user-list, #invitation-list, #audit-list.
  const LIST = '[id$="-list"]';
  let listFocus = null;
  document.addEventListener('htmx:before:swap', (event) => {
    listFocus = null;
    const active = document.activeElement;
    const list = active instanceof Element ? active.closest(LIST) : null;
    if (!list) return;
    const tasks = event.detail?.tasks ?? [];
    const targets = tasks.map((t) =>
      typeof t.target === 'string' ? document.querySelector(t.target) : t.target,
    );
    if (targets.includes(list)) listFocus = { list: list.id, control: active.id };
  });
  const restoreListFocus = () => {
    if (!listFocus) return;
    const { list, control } = listFocus;
    listFocus = null;
    const same = control ? document.getElementById(control) : null;
    const usable = same instanceof HTMLElement && !same.matches(':disabled') && same.closest(LIST);
    const target = usable ? same : document.getElementById(`${list}-caption`);
    if (target instanceof HTMLElement && document.activeElement !== target) target.focus();
  };
  // before:settle fires on the new list in the same task that inserted it; after:swap comes only
  // after htmx's settle delay, and in between focus would sit on the body (htmx's own restore by id
  // fails on a disabled control), where a screen reader announces the whole page.
  document.addEventListener('htmx:before:settle', (event) => {
    const inserted = event.target instanceof Element ? event.target : null;
    if (listFocus && inserted?.id === listFocus.list) restoreListFocus();
    // The same gap for a form answered with its errors: the summary takes the focus the form lost.
    const errors = inserted?.matches('.error-summary') ? inserted : inserted?.querySelector('.error-summary');
    if (errors instanceof HTMLElement && document.activeElement === document.body) errors.focus();
  });
  document.addEventListener('htmx:after:swap', restoreListFocus);

  // The users list: columns shown or hidden are remembered in this browser (localStorage).
  const COLUMNS_KEY = 'gatehouse.users.hiddenColumns';
  const hiddenColumns = () => {
    try {
      return new Set(JSON.parse(localStorage.getItem(COLUMNS_KEY) || '[]'));
    } catch {
      return new Set();
    }
  };
  const applyColumns = () => {
    const hidden = hiddenColumns();
    for (const cell of document.querySelectorAll('.user-table [data-column]')) {
      cell.classList.toggle('hidden-column', hidden.has(cell.getAttribute('data-column')));
    }
    for (const box of document.querySelectorAll('[data-column-toggle]')) {
      if (box instanceof HTMLInputElement) box.checked = !hidden.has(box.getAttribute('data-column-toggle'));
    }
  };
  const chooser = document.querySelector('.column-chooser');
  if (chooser instanceof HTMLElement) {
    chooser.hidden = false;
    chooser.addEventListener('change', (event) => {
      const box = event.target;
      if (!(box instanceof HTMLInputElement) || !box.hasAttribute('data-column-toggle')) return;
      const hidden = hiddenColumns();
      const key = box.getAttribute('data-column-toggle');
      if (box.checked) hidden.delete(key);
      else hidden.add(key);
      localStorage.setItem(COLUMNS_KEY, JSON.stringify([...hidden]));
      applyColumns();
    });
    applyColumns();
  }
  document.addEventListener('htmx:after:swap', applyColumns);
  document.addEventListener('htmx:after:settle', applyColumns);

  // Pagination is disabled while a page loads, and enabled again if the load fails.
  document.addEventListener('htmx:before:request', () => {
    for (const link of document.querySelectorAll('.pagination a.page-link'))
      link.setAttribute('aria-disabled', 'true');
  });
  document.addEventListener('htmx:error', () => {
    for (const link of document.querySelectorAll('.pagination a.page-link'))
      link.removeAttribute('aria-disabled');
  });

  if (dialog instanceof HTMLDialogElement) {
    dialog.addEventListener('close', () => {
      for (const part of dialog.querySelectorAll('#dialog-body, #dialog-status')) part.replaceChildren();
      if (opener instanceof HTMLElement) opener.focus();
      opener = null;
    });
  }

  // Recovery codes: a Print button where printing can be started from the page.
  for (const button of document.querySelectorAll('[data-print]')) {
    if (!(button instanceof HTMLButtonElement)) continue;
    button.hidden = false;
    button.addEventListener('click', () => window.print());
  }

  // The invite dialog remembers the last language and "hide my name" in this browser.
  const INVITE_KEY = 'gatehouse.invite.preferences';
  document.addEventListener('submit', (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.matches('[data-invite-form]')) return;
    const language = form.querySelector('[name="language"]');
    const hide = form.querySelector('[name="hideInviter"]');
    localStorage.setItem(
      INVITE_KEY,
      JSON.stringify({
        language: language instanceof HTMLSelectElement ? language.value : 'en',
        hideInviter: hide instanceof HTMLInputElement && hide.checked,
      }),
    );
  });
  const applyInvitePreferences = () => {
    const form = document.querySelector('[data-invite-form]:not([data-preferences-applied])');
    if (!(form instanceof HTMLFormElement)) return;
    form.setAttribute('data-preferences-applied', '');
    if (form.hasAttribute('data-submitted')) return;
    try {
      const saved = JSON.parse(localStorage.getItem(INVITE_KEY) || 'null');
      if (!saved) return;
      const language = form.querySelector('[name="language"]');
      if (language instanceof HTMLSelectElement && typeof saved.language === 'string')
        language.value = saved.language;
      const hide = form.querySelector('[name="hideInviter"]');
      if (hide instanceof HTMLInputElement) hide.checked = saved.hideInviter === true;
    } catch {
      // A damaged entry is ignored: the form keeps its defaults.
    }
  };
  applyInvitePreferences();
  document.addEventListener('htmx:after:swap', applyInvitePreferences);
})();
