// Progressive enhancement only: every page works without this file. Loaded with defer; CSP-safe.
(() => {
  // A form that failed validation: move focus to its error summary so it is read first.
  const summary = document.querySelector('.error-summary');
  if (summary instanceof HTMLElement) summary.focus();

  // After an HTMX swap that brought a flash message, the live region announces it; move focus
  // to an error summary in the new content, if any.
  document.addEventListener('htmx:after:swap', (event) => {
    const target = event.target instanceof Element ? event.target : document;
    const errors = target.querySelector('.error-summary');
    if (errors instanceof HTMLElement) errors.focus();
  });
})();
