import { DOMParser } from '@xmldom/xmldom';

const fail = (message: unknown): never => {
  throw new Error(String(message));
};

/**
 * Parses XML strictly: any parser complaint throws, including the unclosed elements xmldom 0.8
 * only warns about. Callers refuse a DOCTYPE before parsing (no entity is ever declared).
 * Returns the root element, or throws when there is none.
 */
export function parseStrictXml(xml: string): Element {
  const root = new DOMParser({
    errorHandler: { warning: fail, error: fail, fatalError: fail },
  }).parseFromString(xml.replace(/^\uFEFF/, ''), 'text/xml').documentElement;
  if (!root) throw new Error('no root element');
  return root;
}
