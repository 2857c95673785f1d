// A local write-ahead journal for the audit queue. Each record is appended to a file (handed to the OS before the
// request answers) and deleted once its batch is in the event log, so a process that is killed (SIGKILL, OOM) loses
// no audit record: the next start publishes what the journal still holds. Delivery is at least once — a crash
// between the event log's commit and the delete publishes that batch again.
//
// Every process writes its own directory (`<root>/<instance>/`, with a `pid` file), so nodes sharing a data directory
// never touch each other's live journal; a start adopts the directories of processes that are no longer running.
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditEvent } from '@medplum/fhirtypes';
import { isProcessAlive } from '../../db/index.ts';

const SEGMENT = /^(\d+)\.ndjson$/;
/** Journals of instances running in this process (tests run several servers in one process on one data directory). */
const openHere = new Set<string>();

export class AuditJournal {
  private readonly dir: string;
  private fd: number | undefined;
  private segment = 0;

  constructor(private readonly root: string) {
    this.dir = join(root, randomUUID());
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    writeFileSync(join(this.dir, 'pid'), String(process.pid), { mode: 0o600 });
    openHere.add(this.dir);
  }

  /**
   * The records of journals whose process is gone (oldest first), moved into this journal's first segment so that
   * they are deleted like any other once published. Unreadable lines (a write cut off by the crash) are skipped.
   */
  adoptOrphans(): AuditEvent[] {
    const records: AuditEvent[] = [];
    for (const name of readdirSync(this.root)) {
      const dir = join(this.root, name);
      if (openHere.has(dir)) continue;
      const pidFile = join(dir, 'pid');
      const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : NaN;
      // Our own pid on a journal no instance here opened: left by an earlier process that had the same pid.
      if (Number.isInteger(pid) && pid !== process.pid && isProcessAlive(pid)) continue;
      const segments = readdirSync(dir).filter((f) => SEGMENT.test(f)).sort((a, b) => Number(SEGMENT.exec(a)![1]) - Number(SEGMENT.exec(b)![1]));
      for (const f of segments) {
        for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
          if (!line) continue;
          try {
            records.push(JSON.parse(line) as AuditEvent);
          } catch {
            // the last line of a segment may be cut off by the crash
          }
        }
      }
      for (const r of records) this.append(r);
      rmSync(dir, { recursive: true, force: true });
    }
    return records;
  }

  /** Appends one record to the current segment (a synchronous write: it is with the OS when this returns). */
  append(record: AuditEvent): void {
    this.fd ??= openSync(join(this.dir, `${this.segment}.ndjson`), 'a', 0o600);
    writeSync(this.fd, `${JSON.stringify(record)}\n`);
  }

  /** Closes the current segment: records appended from now on go to the next. Returns the closed segment's number. */
  rotate(): number {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    return this.segment++;
  }

  /** Segments up to `segment` are in the event log: delete them. */
  settle(segment: number): void {
    for (const f of readdirSync(this.dir)) {
      const m = SEGMENT.exec(f);
      if (m && Number(m[1]) <= segment) unlinkSync(join(this.dir, f));
    }
  }

  /** After a clean shutdown (everything published): removes this journal. */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    openHere.delete(this.dir);
    const pending = readdirSync(this.dir).some((f) => SEGMENT.test(f));
    if (!pending) rmSync(this.dir, { recursive: true, force: true });
  }
}
