// Collects bound parameters ($1, $2, …) and table aliases while a query is being built; values are never inlined.

export class SqlParams {
  readonly values: unknown[] = [];
  private aliasCount = 0;
  /** Binds a value and returns its placeholder, with an optional SQL cast (`$3::numeric`). */
  add(value: unknown, cast?: string): string {
    this.values.push(value);
    return `$${this.values.length}${cast ? `::${cast}` : ''}`;
  }
  /** A fresh table alias for a nested subquery. */
  alias(prefix: string): string {
    this.aliasCount++;
    return `${prefix}${this.aliasCount}`;
  }
  /** `alias.param = $n` for one key, `= ANY($n)` for several (system-wide and compartment searches). */
  keyCondition(alias: string, keys: readonly string[]): string {
    return keys.length === 1 ? `${alias}.param = ${this.add(keys[0])}` : `${alias}.param = ANY(${this.add(keys, 'text[]')})`;
  }
}

/** Escapes LIKE wildcards so a user's `%` or `_` matches itself. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
