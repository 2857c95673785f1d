// The audit journal's file life cycle: append, rotate, settle; orphans of dead processes adopted (a cut-off last
// line skipped), a live process's journal left alone; a clean close leaves nothing behind.
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '@medplum/fhirtypes';
import { AuditJournal } from './journal.ts';

const root = mkdtempSync(join(tmpdir(), 'flaura-journal-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const record = (n: number) => ({ resourceType: 'AuditEvent', action: 'R', recorded: `2026-12-05T10:00:0${n}Z` }) as AuditEvent;
const lines = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.ndjson')).flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean));

describe('AuditJournal', () => {
  it('keeps records until their segment is settled; later records survive an earlier settle', () => {
    const dir = join(root, 'a');
    const j = new AuditJournal(dir);
    const own = join(dir, readdirSync(dir)[0]!);
    j.append(record(1));
    j.append(record(2));
    const first = j.rotate();
    j.append(record(3));
    expect(lines(own)).toHaveLength(3);
    j.settle(first);
    expect(lines(own).map((l) => (JSON.parse(l) as AuditEvent).recorded)).toEqual([record(3).recorded]);
    j.rotate();
    j.close(); // a segment is still pending: the journal stays
    expect(lines(own)).toHaveLength(1);
  });

  it("adopts a dead process's records (skipping a line cut off by the crash) and leaves a live one's alone", () => {
    const dir = join(root, 'b');
    mkdirSync(join(dir, 'dead'), { recursive: true });
    mkdirSync(join(dir, 'live'), { recursive: true });
    const exited = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    writeFileSync(join(dir, 'dead', 'pid'), exited);
    writeFileSync(join(dir, 'dead', '0.ndjson'), `${JSON.stringify(record(1))}\n`);
    writeFileSync(join(dir, 'dead', '1.ndjson'), `${JSON.stringify(record(2))}\n`);
    appendFileSync(join(dir, 'dead', '1.ndjson'), '{"resourceType":"AuditEv');
    writeFileSync(join(dir, 'live', 'pid'), String(process.ppid));
    writeFileSync(join(dir, 'live', '0.ndjson'), `${JSON.stringify(record(9))}\n`);

    const sibling = new AuditJournal(dir); // another server in this process, still running
    sibling.append(record(7));
    const j = new AuditJournal(dir);
    expect(j.adoptOrphans().map((r) => r.recorded)).toEqual([record(1).recorded, record(2).recorded]);
    sibling.append(record(8)); // its journal was left alone
    sibling.settle(sibling.rotate());
    sibling.close();
    expect(readdirSync(dir).sort()).toEqual(expect.arrayContaining(['live']));
    expect(readdirSync(dir)).not.toContain('dead');
    // Adopted records are in this journal now, deleted once published like its own.
    const own = join(dir, readdirSync(dir).find((d) => d !== 'live')!);
    expect(lines(own)).toHaveLength(2);
    j.settle(j.rotate());
    j.close();
    expect(readdirSync(dir)).toEqual(['live']);
  });
});
