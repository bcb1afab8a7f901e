/** The codes, once: a list, a download as a text file (a data: link, no request) and print. */
export function RecoveryCodeList({
  codes,
  file,
  downloadLabel,
  printLabel,
}: {
  codes: string[];
  /** The downloaded file's text. */
  file: string;
  downloadLabel: string;
  printLabel: string;
}) {
  return (
    <>
      <ol class="codes">
        {codes.map((code) => (
          <li>
            <code>{code}</code>
          </li>
        ))}
      </ol>
      <p class="actions no-print">
        <a
          class="button button-secondary"
          href={`data:text/plain;charset=utf-8,${encodeURIComponent(file)}`}
          download="recovery-codes.txt"
        >
          {downloadLabel}
        </a>
        {/* app.js reveals it: printing needs the page's script. */}
        <button type="button" class="button-secondary" data-print="" hidden>
          {printLabel}
        </button>
      </p>
    </>
  );
}
