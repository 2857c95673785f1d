// Master-key rotation: a new primary key in the key file, then every sealed payload's data key re-wrapped under it
// (resources and their history, signing keys). The payloads themselves are not re-encrypted: only the small wrapped
// data keys change, so rotating a large genomic store is quick.
import type { Resource } from '@medplum/fhirtypes';
import type { Queryable } from '../../db/index.ts';
import { rewrapSigningKeys } from '../auth/signing-keys.ts';
import { envelopeKeyId, type KeyRing } from './envelope.ts';
import { createResourceSealer, isSealed } from './resource-sealing.ts';

export interface RewrapCounts {
  resources: number;
  history: number;
  signingKeys: number;
}

type SealedTable = 'fhir_resource' | 'fhir_resource_history';
interface SealedRow { k: string; resource_type: string; id: string; version_id: string; content: Resource }

const BATCH = 500;

function sealedKid(content: unknown): string | undefined {
  if (!isSealed(content)) return undefined;
  return envelopeKeyId(Buffer.from((content as unknown as Record<string, string>)._sealed!, 'base64'));
}

/** Every sealed row of a table, a batch at a time (keyset paging, so memory stays flat on any store size). */
async function* sealedRows(db: Queryable, table: SealedTable): AsyncGenerator<SealedRow> {
  let after = '';
  for (;;) {
    const rows = (await db.query<SealedRow>(
      `SELECT resource_type || '/' || id || '/' || version_id AS k, resource_type, id, version_id, content FROM ${table}
       WHERE content ? '_sealed' AND resource_type || '/' || id || '/' || version_id > $1 ORDER BY 1 LIMIT ${BATCH}`,
      [after],
    )).rows;
    if (rows.length === 0) return;
    yield* rows;
    after = rows.at(-1)!.k;
  }
}

async function rewrapTable(db: Queryable, ring: KeyRing, table: SealedTable): Promise<number> {
  const sealer = createResourceSealer(ring);
  let changed = 0;
  for await (const r of sealedRows(db, table)) {
    if (sealedKid(r.content) === ring.primary) continue;
    await db.query(`UPDATE ${table} SET content = $4 WHERE resource_type = $1 AND id = $2 AND version_id = $3`, [r.resource_type, r.id, r.version_id, JSON.stringify(sealer.rewrap(r.content))]);
    changed++;
  }
  return changed;
}

/** Re-wraps everything sealed under an older key; safe to run again (rows already under the primary are skipped). */
export async function rewrapAll(db: Queryable, ring: KeyRing): Promise<RewrapCounts> {
  return {
    resources: await rewrapTable(db, ring, 'fhir_resource'),
    history: await rewrapTable(db, ring, 'fhir_resource_history'),
    signingKeys: await rewrapSigningKeys(db, ring),
  };
}

/** Master key ids that sealed data still needs (after a complete re-wrap: only the primary). */
export async function keyIdsInUse(db: Queryable): Promise<Set<string>> {
  const used = new Set<string>();
  for (const table of ['fhir_resource', 'fhir_resource_history'] as const) {
    for await (const r of sealedRows(db, table)) used.add(sealedKid(r.content)!);
  }
  for (const r of (await db.query<{ private_sealed: string }>('SELECT private_sealed FROM auth_signing_key')).rows) used.add(envelopeKeyId(Buffer.from(r.private_sealed, 'base64')));
  return used;
}
