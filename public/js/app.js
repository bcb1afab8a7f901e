// Progressive enhancement only: every page works without this file. Loaded with defer; CSP-safe.
(() => {
  // Controls that only a page without this script needs (an Apply or Switch button) hide by CSS.
  document.documentElement.classList.add('js');

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
  // Where focus goes after an update a chip started: the next chip, else "Clear all", else the search.
  let preferFocus = null;
  document.addEventListener('htmx:before:swap', (event) => {
    listFocus = null;
    const active = document.activeElement;
    const list = active instanceof Element ? active.closest(LIST) : null;
    if (!list) return;
    const tasks = event.detail?.tasks ?? [];
    const targets = tasks.map((t) =>
      typeof t.target === 'string' ? document.querySelector(t.target) : t.target,
    );
    if (targets.includes(list)) listFocus = { list: list.id, control: active.id, prefer: preferFocus };
    preferFocus = null;
  });
  const restoreListFocus = () => {
    if (!listFocus) return;
    const { list, control, prefer } = listFocus;
    listFocus = null;
    const preferred = (prefer ?? [])
      .map((id) => document.getElementById(id))
      .find((el) => el instanceof HTMLElement);
    if (preferred) {
      preferred.focus();
      return;
    }
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

  // Single-key shortcuts, on unless turned off in this browser.
  const SHORTCUTS_KEY = 'gatehouse.shortcuts';
  const shortcutsOn = () => localStorage.getItem(SHORTCUTS_KEY) !== 'off';
  const shortcutsSetting = document.querySelector('[data-shortcuts-setting]');
  const shortcutsBox = document.getElementById('shortcuts');
  if (shortcutsSetting instanceof HTMLElement && shortcutsBox instanceof HTMLInputElement) {
    shortcutsSetting.hidden = false;
    shortcutsBox.checked = shortcutsOn();
    shortcutsBox.addEventListener('change', () => {
      if (shortcutsBox.checked) localStorage.removeItem(SHORTCUTS_KEY);
      else localStorage.setItem(SHORTCUTS_KEY, 'off');
    });
  }

  // The list toolbar. Its filter menus are <details>: one open at a time, Escape closes the open
  // one (focus back on its button), a click elsewhere closes it; each button counts its choices.
  const menus = () => document.querySelectorAll('details[data-menu]');
  document.addEventListener(
    'toggle',
    (event) => {
      const opened = event.target;
      if (!(opened instanceof HTMLDetailsElement) || !opened.matches('[data-menu]') || !opened.open) return;
      for (const menu of menus())
        if (menu !== opened && menu instanceof HTMLDetailsElement) menu.open = false;
      opened.classList.remove('menu-end');
      const panel = opened.querySelector('.menu-panel');
      if (panel && panel.getBoundingClientRect().right > document.documentElement.clientWidth)
        opened.classList.add('menu-end');
    },
    true,
  );
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      const menu = document.activeElement?.closest?.('details[data-menu][open]');
      if (menu instanceof HTMLDetailsElement) {
        event.preventDefault();
        menu.open = false;
        menu.querySelector('summary')?.focus();
      }
      return;
    }
    // "/" focuses the search, as on GitHub, unless one is typing somewhere or has turned it off
    // (My account, Keyboard shortcuts).
    const typing =
      event.target instanceof Element && event.target.closest('input, textarea, select, [contenteditable]');
    if (event.key === '/' && !typing && !event.ctrlKey && !event.metaKey && !event.altKey && shortcutsOn()) {
      const search = document.getElementById('q');
      if (search instanceof HTMLInputElement) {
        event.preventDefault();
        search.focus();
        search.select();
      }
    }
  });
  document.addEventListener('click', (event) => {
    const inside = event.target instanceof Element ? event.target.closest('details[data-menu]') : null;
    for (const menu of menus()) if (menu !== inside && menu instanceof HTMLDetailsElement) menu.open = false;
  });
  // Focus leaving an open menu for something outside it closes the menu (it would cover the rows).
  document.addEventListener('focusout', (event) => {
    const menu = event.target instanceof Element ? event.target.closest('details[data-menu][open]') : null;
    const next = event.relatedTarget;
    if (menu instanceof HTMLDetailsElement && next instanceof Node && !menu.contains(next)) menu.open = false;
  });
  const countChoices = (menu) => {
    const summary = menu.querySelector('summary');
    if (!summary) return;
    let n = 0;
    for (const control of menu.querySelectorAll('input, select')) {
      if (control instanceof HTMLInputElement && (control.type === 'checkbox' || control.type === 'radio')) {
        if (control.checked && control.value !== '') n += 1;
      } else if (
        (control instanceof HTMLInputElement || control instanceof HTMLSelectElement) &&
        control.value
      ) {
        n += 1;
      }
    }
    // The same badge the server draws (views/components/list.tsx MenuCount), absent at zero.
    let badge = summary.querySelector('[data-menu-count]');
    if (n === 0) {
      badge?.remove();
      return;
    }
    if (!badge) {
      badge = document.createElement('span');
      badge.className = 'menu-count';
      badge.setAttribute('data-menu-count', '');
      badge.innerHTML =
        '<span class="visually-hidden">, </span><span data-menu-count-value=""></span><span class="visually-hidden"> chosen</span>';
      summary.append(badge);
    }
    const value = badge.querySelector('[data-menu-count-value]');
    if (value) value.textContent = String(n);
  };
  document.addEventListener('change', (event) => {
    const menu =
      event.target instanceof Element ? event.target.closest('#filters details.filter-menu') : null;
    if (menu) countChoices(menu);
  });

  // Chips and "Clear all": clear the control in the toolbar and let its form update the results,
  // so that the form, the chips and the list never disagree. (Without this script they are links.)
  const filterForm = () => document.getElementById('filters');
  const clearControl = (form, name, value) => {
    for (const control of form.elements) {
      if (!('name' in control) || control.name !== name) continue;
      if (control instanceof HTMLInputElement && (control.type === 'checkbox' || control.type === 'radio')) {
        if (control.type === 'checkbox' && control.value === value) control.checked = false;
        if (control.type === 'radio') control.checked = control.value === '';
      } else if (control instanceof HTMLSelectElement || control instanceof HTMLInputElement) {
        if (control.type !== 'hidden' || name === 'target') control.value = '';
        if (control.type === 'hidden' && name === 'target') control.disabled = true;
      }
    }
  };
  const submitFilters = (form) => {
    for (const menu of form.querySelectorAll('details.filter-menu')) countChoices(menu);
    form.requestSubmit();
  };
  document.addEventListener('click', (event) => {
    const chip =
      event.target instanceof Element ? event.target.closest('[data-chip-name], [data-clear-filters]') : null;
    const form = filterForm();
    if (!chip || !(form instanceof HTMLFormElement)) return;
    // A new tab or window (Ctrl, Cmd, Shift, middle click) follows the link itself.
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey || event.button !== 0) return;
    event.preventDefault();
    if (chip.hasAttribute('data-clear-filters')) {
      for (const control of form.elements) {
        if (!('name' in control) || !control.name || control.name === 'per' || control.name === 'tab')
          continue;
        clearControl(form, control.name, control instanceof HTMLInputElement ? control.value : '');
      }
      preferFocus = ['q'];
    } else {
      clearControl(form, chip.getAttribute('data-chip-name'), chip.getAttribute('data-chip-value'));
      const item = chip.closest('li');
      const previous = item?.previousElementSibling?.querySelector('a');
      // Chip ids are positions: the next chip takes this one's id once this one is gone.
      preferFocus = [
        ...(item?.nextElementSibling ? [chip.id] : []),
        ...(previous ? [previous.id] : []),
        'clear-filters',
        'q',
      ];
    }
    submitFilters(form);
  });

  // The selection bar of the users list: shown while rows are ticked, with their number said in
  // a live region; "Select all on this page", then every user the filters match.
  const selection = () => {
    const bar = document.querySelector('[data-selection-bar]');
    if (!(bar instanceof HTMLFormElement)) return null;
    const boxes = [...document.querySelectorAll('input[name="ids"][form="bulk-form"]')].filter(
      (box) => box instanceof HTMLInputElement,
    );
    return {
      bar,
      boxes,
      page: document.getElementById('select-page'),
      all: [...bar.querySelectorAll('[data-select-all]')],
      matching: bar.querySelector('[data-select-matching]'),
      tooMany: bar.querySelector('[data-too-many]'),
      clear: bar.querySelector('[data-clear-selection]'),
      count: document.getElementById('selection-count'),
      status: document.getElementById('selection-status'),
    };
  };
  const number = (n) => n.toLocaleString('en-US');
  const updateSelection = (announce) => {
    const s = selection();
    if (!s) return;
    const ticked = s.boxes.filter((box) => box.checked).length;
    const allMatching = s.all.length > 0 && s.all.every((input) => !input.disabled);
    const total = Number(s.bar.getAttribute('data-total') || '0');
    const everyOnPage = ticked > 0 && ticked === s.boxes.length;
    if (s.page instanceof HTMLInputElement) {
      s.page.hidden = false;
      s.page.checked = everyOnPage;
      s.page.indeterminate = ticked > 0 && !everyOnPage;
    }
    s.bar.classList.toggle('has-selection', ticked > 0 || allMatching);
    if (s.clear instanceof HTMLElement) s.clear.hidden = false;
    if (s.matching instanceof HTMLElement) s.matching.hidden = !everyOnPage || allMatching;
    if (s.tooMany instanceof HTMLElement) s.tooMany.hidden = !everyOnPage;
    const text = allMatching ? `All ${number(total)} matching users selected` : `${number(ticked)} selected`;
    if (s.count) s.count.textContent = text;
    if (announce && s.status)
      s.status.textContent =
        ticked > 0 || allMatching ? `${text}. Actions are above the table.` : 'Selection cleared.';
  };
  document.addEventListener('change', (event) => {
    const box = event.target;
    if (!(box instanceof HTMLInputElement)) return;
    const s = selection();
    if (!s) return;
    if (box.id === 'select-page') {
      for (const row of s.boxes) row.checked = box.checked;
    } else if (!(box.name === 'ids' && box.getAttribute('form') === 'bulk-form')) return;
    // Changing what is ticked leaves "all matching".
    for (const input of s.all) input.disabled = true;
    updateSelection(true);
  });
  document.addEventListener('click', (event) => {
    const button =
      event.target instanceof Element
        ? event.target.closest('[data-select-matching], [data-clear-selection]')
        : null;
    const s = button ? selection() : null;
    if (!button || !s) return;
    if (button.hasAttribute('data-select-matching')) {
      for (const input of s.all) input.disabled = false;
      updateSelection(true);
      if (s.clear instanceof HTMLElement) s.clear.focus();
    } else {
      for (const row of s.boxes) row.checked = false;
      for (const input of s.all) input.disabled = true;
      updateSelection(true);
      if (s.page instanceof HTMLElement) s.page.focus();
    }
  });
  updateSelection(false);
  document.addEventListener('htmx:after:swap', () => updateSelection(false));

  // The project switcher changes project on selection (its hint says so before one chooses); the
  // Switch button stays for pages without this script.
  const switcher = document.getElementById('project-switcher');
  if (switcher instanceof HTMLSelectElement) {
    switcher.setAttribute('aria-describedby', 'project-switcher-hint');
    switcher.addEventListener('change', () => switcher.form?.requestSubmit());
  }

  // Flash messages are toasts: announced by their live region, closed by the person, never on a timer.
  for (const flash of document.querySelectorAll('.flash')) {
    const close = document.createElement('button');
    close.type = 'button';
    close.className = 'toast-close button-link';
    close.setAttribute('aria-label', 'Dismiss message');
    close.textContent = '×';
    close.addEventListener('click', () => {
      flash.remove();
      document.getElementById('main')?.focus();
    });
    flash.append(close);
  }

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
      // The menu sits in the filter form's row: a column shown or hidden is not a new query.
      event.stopPropagation();
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
  document.addEventListener('htmx:finally:request', () => {
    for (const link of document.querySelectorAll('.pagination a.page-link'))
      link.removeAttribute('aria-disabled');
  });

  if (dialog instanceof HTMLDialogElement) {
    dialog.addEventListener('close', () => {
      // Something was added (a user created in the dialog): the list behind it shows them.
      const changed = dialog.querySelector('[data-refresh-list]');
      const form = filterForm();
      if (changed && form instanceof HTMLFormElement) form.requestSubmit();
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
