// Wake-ups for idle consumers: an in-process signal from appenders, and PostgreSQL LISTEN for other processes.
import { EventEmitter } from 'node:events';
import pg from 'pg';

const appended = new EventEmitter();
appended.setMaxListeners(0);

/** Called by appendEvents; listeners re-read soon (the append may not have committed yet). */
export function signalAppend(): void {
  appended.emit('append');
}

/** Calls `fn` on every in-process append; returns the unsubscribe function. */
export function onAppend(fn: () => void): () => void {
  appended.on('append', fn);
  return () => appended.off('append', fn);
}

/** A dedicated PostgreSQL session LISTENing on `channel`; `fn` runs on each notification. */
export async function listenPostgres(connectionString: string, channel: string, fn: () => void): Promise<() => Promise<void>> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  client.on('notification', fn);
  // A lost listening session must not crash the server: polling still delivers.
  client.on('error', () => undefined);
  await client.query(`LISTEN ${channel}`);
  return async () => {
    await client.end().catch(() => undefined);
  };
}
