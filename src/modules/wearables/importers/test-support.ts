// Test helpers for importers: collect an import stream, read fixtures.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImportItem, ImportIssue, Sample } from '../model.ts';

export const FIXTURES = join(import.meta.dirname, '../fixtures');

/** Reads a JSON fixture. */
export function fixtureJson(name: string): unknown {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as unknown;
}

/** Drains an import stream into samples and issues. */
export async function collect(items: AsyncIterable<ImportItem>): Promise<{ samples: Sample[]; issues: ImportIssue[] }> {
  const samples: Sample[] = [];
  const issues: ImportIssue[] = [];
  for await (const i of items) {
    if (i.type === 'sample') samples.push(i.sample);
    else issues.push(i.issue);
  }
  return { samples, issues };
}
