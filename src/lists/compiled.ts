import { type Compilable, CompiledQuery } from 'kysely';

/**
 * Queries built with Kysely once per shape and then only filled with values. Building a users
 * page query cost ~0.8 ms of CPU per request under load, more than running it (measured with
 * `npm run bench:ladder`); the shape (which filters are set, the sort, the cursor's direction,
 * the page size) decides the SQL, the request only its parameters. A query is built with
 * placeholders where the request's values go; every other parameter is a constant of the shape.
 */

const NAME = Symbol('placeholder');

/** A value filled in per request. Kysely passes it through to the parameters untouched. */
export const placeholder = <T = unknown>(name: string): T => ({ [NAME]: name }) as T;

const nameOf = (value: unknown): string | undefined =>
  typeof value === 'object' && value !== null && NAME in value
    ? (value as { [NAME]: string })[NAME]
    : undefined;

export interface Shape {
  sql: string;
  parameters: Array<{ name: string } | { value: unknown }>;
}

export function shapeOf(query: Compilable<unknown>): Shape {
  const compiled = query.compile();
  return {
    sql: compiled.sql,
    parameters: compiled.parameters.map((value) => {
      const name = nameOf(value);
      if (name !== undefined) return { name };
      // A time in a query is the request's: built into the shape, every later request would reuse it.
      if (value instanceof Date) throw new Error(`compiled query: a time that is not a placeholder`);
      return { value };
    }),
  };
}

/** The shape's SQL with this request's values. */
export function fill<R>(shape: Shape, values: Readonly<Record<string, unknown>>): CompiledQuery<R> {
  const parameters = shape.parameters.map((p) => {
    if ('value' in p) return p.value;
    if (!Object.hasOwn(values, p.name)) throw new Error(`compiled query: no value for ${p.name}`);
    return values[p.name];
  });
  return CompiledQuery.raw(shape.sql, parameters) as CompiledQuery<R>;
}

/** Shapes by key, each built on first use; cleared past `max` (every combination of filters is one). */
export class Shapes {
  readonly #shapes = new Map<string, Shape>();
  constructor(private readonly max = 500) {}

  get(key: string, build: () => Compilable<unknown>): Shape {
    let shape = this.#shapes.get(key);
    if (!shape) {
      if (this.#shapes.size >= this.max) this.#shapes.clear();
      shape = shapeOf(build());
      this.#shapes.set(key, shape);
    }
    return shape;
  }
}
