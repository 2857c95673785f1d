// One process owns an embedded data directory: a lock file holding the owner's pid (and its URL once serving).
import { mkdirSync, readFileSync, writeFileSync, unlinkSync, openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { FlauraError } from '../errors.ts';

const LOCK_FILE = 'flaura.lock';

export interface LockInfo {
  pid: number;
  /** Base URL of the server holding the lock, when it is a server. */
  url?: string;
}

/** True while a process with this pid runs (EPERM: it runs under another user). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Reads who holds the lock on `dataDir`, if a live process does. */
export function readDataDirLock(dataDir: string): LockInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(join(dataDir, LOCK_FILE), 'utf8')) as LockInfo;
    return isProcessAlive(info.pid) && info.pid !== process.pid ? info : undefined;
  } catch {
    return undefined;
  }
}

/** A held lock: update it with the server URL, release it on shutdown. */
export interface DataDirLock {
  setUrl(url: string): void;
  release(): void;
}

/** Takes the lock or fails with a message naming the owner; a stale lock (dead pid) is taken over. */
export function acquireDataDirLock(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE);
  const write = (info: LockInfo) => writeFileSync(path, JSON.stringify(info));
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      closeSync(openSync(path, 'wx'));
      write({ pid: process.pid });
      let released = false;
      return {
        setUrl: (url) => write({ pid: process.pid, url }),
        release: () => {
          if (released) return;
          released = true;
          try {
            unlinkSync(path);
          } catch {
            // already gone
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = readDataDirLock(dataDir);
      if (owner) {
        throw new FlauraError('DATA_DIR_LOCKED', 409, `The data directory ${dataDir} is in use by process ${owner.pid}${owner.url ? ` (serving ${owner.url})` : ''}; use --url to talk to it, or stop it first`);
      }
      unlinkSync(path); // stale: its owner died without cleaning up
    }
  }
  throw new FlauraError('DATA_DIR_LOCKED', 409, `Could not lock ${dataDir}`);
}
