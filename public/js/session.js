// Session time-outs (WCAG 2.2.1): warn before the session ends and offer more time; when it ends,
// keep what was typed in this tab (sessionStorage, never passwords or codes) and put it back on
// the same page after the next sign-in. Progressive enhancement, loaded with defer; CSP-safe.
(() => {
  const DRAFTS = 'gatehouse.drafts';
  const ENDED = 'gatehouse.session.ended';
  const DEADLINE = 'gatehouse.session.deadline';
  const WARN_MS = 2 * 60_000;
  const DRAFT_LIFETIME_MS = 60 * 60_000;
  const SKIPPED_TYPES = new Set(['password', 'hidden', 'file', 'submit', 'button', 'image', 'reset']);
  const SECRET_NAME = /password|code|token|secret|confirm|current/i;
  const SECRET_AUTOCOMPLETE = /one-time-code|current-password|new-password/;
  const here = location.pathname + location.search;

  const readJson = (key) => {
    try {
      return JSON.parse(sessionStorage.getItem(key) || 'null');
    } catch {
      return null;
    }
  };

  /** Says something in the page's polite live region (the layout's flash region). */
  const announce = (text) => {
    const region = document.getElementById('flash');
    if (!region) return;
    const note = document.createElement('p');
    note.className = 'flash';
    note.textContent = text;
    region.append(note);
  };

  // ---- Drafts: a form's changed fields, by the page it belongs to.

  const isCheck = (el) => el instanceof HTMLInputElement && (el.type === 'checkbox' || el.type === 'radio');
  const fieldsOf = (form) =>
    [...form.elements].filter(
      (el) =>
        (el instanceof HTMLTextAreaElement ||
          el instanceof HTMLSelectElement ||
          (el instanceof HTMLInputElement && !SKIPPED_TYPES.has(el.type))) &&
        el.name &&
        !el.readOnly &&
        !SECRET_NAME.test(el.name) &&
        !SECRET_AUTOCOMPLETE.test(el.getAttribute('autocomplete') || ''),
    );
  // Checkboxes of one name are told apart by value, other repeated names by their order.
  const keysOf = (form) => {
    const seen = new Map();
    return fieldsOf(form).map((el) => {
      const n = seen.get(el.name) ?? 0;
      seen.set(el.name, n + 1);
      return [`${el.name}\u0000${isCheck(el) ? el.value : n}`, el];
    });
  };
  const isChanged = (el) =>
    el instanceof HTMLSelectElement
      ? [...el.options].some((o) => o.selected !== o.defaultSelected)
      : isCheck(el)
        ? el.checked !== el.defaultChecked
        : el.value !== el.defaultValue;
  const fieldValue = (el) =>
    el instanceof HTMLSelectElement
      ? [...el.selectedOptions].map((o) => o.value)
      : isCheck(el)
        ? el.checked
        : el.value;
  const postForms = () =>
    [...document.querySelectorAll('form')].filter(
      (f) => f.method === 'post' && !/^\/(logout|login|session)\b/.test(f.getAttribute('action') || ''),
    );
  const nthOfAction = (form) =>
    postForms()
      .filter((f) => f.getAttribute('action') === form.getAttribute('action'))
      .indexOf(form);

  // A form in the dialog belongs to the page the dialog's link leads to (it works without JavaScript).
  let dialogPage = null;
  document.addEventListener('click', (event) => {
    const link = event.target instanceof Element ? event.target.closest('[data-dialog-opener]') : null;
    if (link) dialogPage = link.getAttribute('href');
  });
  const pageOf = (form) => (form.closest('#dialog') && dialogPage ? dialogPage : here);

  /** Saves the changed forms; returns the page to come back to (the dialog's, if one changed). */
  const saveDrafts = () => {
    const drafts = readJson(DRAFTS) || {};
    let back = here;
    for (const form of postForms()) {
      const changed = keysOf(form).filter(([, el]) => isChanged(el));
      if (changed.length === 0) continue;
      const page = pageOf(form);
      if (page !== here) back = page;
      const entry = drafts[page] || { forms: [] };
      entry.savedAt = Date.now();
      entry.forms.push({
        action: form.getAttribute('action'),
        nth: form.closest('#dialog') ? 0 : nthOfAction(form),
        fields: Object.fromEntries(changed.map(([key, el]) => [key, fieldValue(el)])),
      });
      drafts[page] = entry;
    }
    try {
      sessionStorage.setItem(DRAFTS, JSON.stringify(drafts));
    } catch {
      // Storage full or blocked: the page goes on to sign-in without a draft.
    }
    return { back, saved: Object.keys(drafts).length > 0 };
  };

  const restoreDrafts = () => {
    const drafts = readJson(DRAFTS);
    const draft = drafts?.[here];
    if (!draft) return;
    delete drafts[here];
    sessionStorage.setItem(DRAFTS, JSON.stringify(drafts));
    // Only to finish what the sign-in interrupted, not to surprise someone back on the page later.
    if (!(Date.now() - draft.savedAt < DRAFT_LIFETIME_MS)) return;
    let restored = 0;
    for (const saved of draft.forms) {
      const form = postForms().filter((f) => f.getAttribute('action') === saved.action)[saved.nth];
      if (!form) continue;
      for (const [key, el] of keysOf(form)) {
        if (!(key in saved.fields)) continue;
        const value = saved.fields[key];
        if (el instanceof HTMLSelectElement) for (const o of el.options) o.selected = value.includes(o.value);
        else if (isCheck(el)) el.checked = value === true;
        else el.value = value;
        restored++;
      }
    }
    if (restored > 0)
      announce('What you had typed before you were signed out is back in the form. Check it, then save.');
  };

  const meta = document.querySelector('meta[name="session-timeout"]');

  // The page after the session ended (sign-in): say why.
  const ended = readJson(ENDED);
  if (ended) {
    sessionStorage.removeItem(ENDED);
    if (!meta)
      announce(
        ended.kind === 'code-step'
          ? 'The code step timed out. Sign in again.'
          : `You were signed out because nothing happened for a while. Sign in again to carry on${
              ended.drafts ? ': what you had typed will be put back' : ''
            }.`,
      );
  }
  if (!meta) return;
  const kind = meta.getAttribute('data-kind');
  if (kind === 'session') restoreDrafts();

  // ---- The time-out itself.

  let deadline = Date.now() + Number(meta.getAttribute('content')) * 1000;
  let warnTimer = 0;
  let endTimer = 0;
  let returnFocus = null;

  const warning = document.createElement('dialog');
  warning.className = 'dialog';
  warning.setAttribute('aria-labelledby', 'session-warning-title');
  warning.setAttribute('aria-describedby', 'session-warning-text');
  const title = document.createElement('h2');
  title.id = 'session-warning-title';
  // An alert, and the dialog's description: read out as it opens, and again with the focused button.
  const message = document.createElement('p');
  message.id = 'session-warning-text';
  message.setAttribute('role', 'alert');
  const stay = document.createElement('button');
  stay.type = 'button';
  const actions = document.createElement('div');
  actions.className = 'actions';
  actions.append(stay);
  warning.append(title, message, actions);
  document.body.append(warning);

  const minutes = (ms) => {
    const n = Math.max(1, Math.round(ms / 60_000));
    return `${n} minute${n === 1 ? '' : 's'}`;
  };

  const share = () => {
    if (kind !== 'session') return;
    try {
      localStorage.setItem(DEADLINE, String(deadline));
    } catch {
      // Other tabs then warn on their own schedule.
    }
  };

  const closeWarning = () => {
    if (!warning.open) return;
    warning.close();
    if (returnFocus instanceof HTMLElement && returnFocus.isConnected) returnFocus.focus();
    returnFocus = null;
  };

  const end = () => {
    const { back, saved } = kind === 'session' ? saveDrafts() : { back: null, saved: false };
    sessionStorage.setItem(ENDED, JSON.stringify({ kind, drafts: saved }));
    // The code step's page carries where sign-in was going; a page is its own destination.
    const next = kind === 'session' ? back : new URLSearchParams(location.search).get('next');
    location.assign(next ? `/login?next=${encodeURIComponent(next)}` : '/login');
  };

  const warn = () => {
    const left = deadline - Date.now();
    if (kind === 'session') {
      title.textContent = 'You will be signed out soon';
      message.textContent = `Nothing has happened for a while, so you will be signed out in ${minutes(left)}. If you are, what you have typed on this page is kept in this browser and put back after you sign in again.`;
      stay.textContent = 'Stay signed in';
    } else {
      title.textContent = 'The code step will time out soon';
      message.textContent = `This step ends in ${minutes(left)}. Enter the code from your authenticator app before then, or ask for more time.`;
      stay.textContent = 'Give me more time';
    }
    stay.hidden = false;
    if (!warning.open) {
      returnFocus = document.activeElement;
      warning.showModal();
    }
    stay.focus();
  };

  const schedule = () => {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    const left = deadline - Date.now();
    warnTimer = setTimeout(warn, Math.max(0, left - WARN_MS));
    endTimer = setTimeout(end, Math.max(0, left));
  };

  const extend = async () => {
    let expiresIn = null;
    try {
      const response = await fetch(meta.getAttribute('data-keep-alive'), {
        method: 'POST',
        headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ returnTo: here }),
        redirect: 'manual',
        credentials: 'same-origin',
      });
      if (response.ok) expiresIn = (await response.json()).expiresIn;
    } catch {
      // Offline or refused: the session is treated as ended.
    }
    if (typeof expiresIn !== 'number') return end();
    deadline = Date.now() + expiresIn * 1000;
    share();
    schedule();
    if (expiresIn * 1000 > WARN_MS) {
      closeWarning();
      announce(kind === 'session' ? 'You are still signed in.' : 'The code step has more time.');
      return;
    }
    // The code step cannot be extended past its limit: say so and leave the choice to them.
    message.textContent = `This step cannot be given more time. Enter your code within ${minutes(expiresIn * 1000)}, or sign in again.`;
    stay.hidden = true;
  };

  stay.addEventListener('click', extend);
  // Escape asks for more time too: closing the warning must not leave the user to be signed out.
  warning.addEventListener('cancel', (event) => {
    event.preventDefault();
    if (!stay.hidden) extend();
  });

  // Another tab, or an htmx update of this page, moved the end.
  window.addEventListener('storage', (event) => {
    if (event.key !== DEADLINE || kind !== 'session' || Number(event.newValue) <= deadline) return;
    deadline = Number(event.newValue);
    closeWarning();
    schedule();
  });
  document.addEventListener('htmx:after:request', (event) => {
    const seconds = event.detail?.ctx?.response?.headers?.get('X-Session-Expires-In');
    if (!seconds) return;
    deadline = Date.now() + Number(seconds) * 1000;
    share();
    closeWarning();
    schedule();
  });

  // A form sent after the end would meet the sign-in page and lose its input: keep it first.
  document.addEventListener(
    'submit',
    (event) => {
      if (Date.now() < deadline) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      end();
    },
    true,
  );

  share();
  schedule();
})();
