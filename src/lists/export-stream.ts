/** An export's file: CSV or JSON, streamed. */

export type ExportFormat = 'csv' | 'json';

const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A CSV cell: quoted, and neutralised when a spreadsheet would read it as a formula (a leading
 * quote makes it text). Exports written by PostgreSQL apply the same rule (export-sql.ts, sqlCsvCell).
 */
export function csvCell(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return `"${safe.replaceAll('"', '""')}"`;
}

export const csvLine = (cells: readonly string[]) => `${cells.map(csvCell).join(',')}\r\n`;

/**
 * The file as a stream: the header (CSV) or `[` (JSON), then each batch of lines (CSV lines
 * ending in CRLF, or JSON objects) when the client has taken the last. A failure errors the
 * stream, so the client sees a broken download rather than a file that looks complete.
 */
export function exportStream(
  format: ExportFormat,
  header: readonly string[],
  batches: AsyncGenerator<string[]>,
  label: string,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let first = true;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(format === 'csv' ? csvLine(header) : '['));
    },
    async pull(controller) {
      let next: IteratorResult<string[]>;
      try {
        next = await batches.next();
      } catch (error) {
        console.error(`${label} export failed`, error);
        controller.error(error);
        return;
      }
      const { value, done } = next;
      if (done) {
        if (format === 'json') controller.enqueue(encoder.encode(first ? ']\n' : '\n]\n'));
        controller.close();
        return;
      }
      let chunk: string;
      if (format === 'csv') chunk = value.join('');
      else {
        chunk = `${first ? '\n' : ',\n'}${value.join(',\n')}`;
        first = false;
      }
      controller.enqueue(encoder.encode(chunk));
    },
    async cancel() {
      await batches.return(undefined);
    },
  });
}
