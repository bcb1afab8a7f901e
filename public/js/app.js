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
    if (errors instanceof HTMLElement) errors.focus();
  });

  document.addEventListener('click', (event) => {
    const cancel =
      event.target instanceof Element ? event.target.closest('#dialog [data-dialog-cancel]') : null;
    if (cancel && dialog instanceof HTMLDialogElement) {
      event.preventDefault();
      dialog.close();
    }
  });

  if (dialog instanceof HTMLDialogElement) {
    dialog.addEventListener('close', () => {
      const body = dialog.querySelector('#dialog-body');
      if (body) body.replaceChildren();
      if (opener instanceof HTMLElement) opener.focus();
      opener = null;
    });
  }
})();
