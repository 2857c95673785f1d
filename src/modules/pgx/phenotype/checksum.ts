// sha256 over a phenotype table's canonical rows: proves the compact table reproduces the source table.
import { createHash } from 'node:crypto';

/** Sorts the canonical rows (so source order does not matter) and hashes them. */
export function tableChecksum(rows: readonly string[]): string {
  const hash = createHash('sha256');
  for (const row of [...rows].sort()) hash.update(row);
  return hash.digest('hex');
}
