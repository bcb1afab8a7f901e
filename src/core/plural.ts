const numbers = new Intl.NumberFormat('en');

/**
 * A count with its noun, agreeing: "1 event", "2 events", "1,204 people". The plural is given
 * where adding "s" is wrong ("person", "people"). English only: the console's own texts are.
 */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${numbers.format(count)} ${count === 1 ? singular : pluralForm}`;
}

/** A number as the console writes it ("1,204"), for counts whose noun is not right after them. */
export const formatNumber = (n: number): string => numbers.format(n);
