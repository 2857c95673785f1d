// What the resource store needs from its neighbours (validation, search index, event log), injected by main.ts
// so the store stays one small job: versioned rows in one transaction.
import type { Bundle, Resource } from '@medplum/fhirtypes';
import type { Queryable } from '../../db/index.ts';
import type { RequestActor } from './types.ts';

/** Index work done ahead of the rows' keys; opaque to the store. */
export interface PreparedIndex {
  readonly entries: ReadonlyMap<Resource, unknown>;
}

/** An event the store appends to the outbox in the writer's transaction (see src/events). */
export interface StoreEvent {
  topic: string;
  resourceType: string;
  resourceId: string;
  versionId: string;
  action: 'create' | 'update' | 'delete';
  actor?: RequestActor;
}

export interface StoreDeps {
  /** Checks a resource against the R4 definitions; throws FlauraError 400 listing every issue. */
  validate(resource: unknown): Resource;
  /**
   * Replaces the search-index rows of each (rid, resource); `fresh`: all were created in this transaction (nothing
   * to delete); `prepared`: what `prepareIndex` computed for these resources.
   */
  writeIndex(tx: Queryable, items: readonly { rid: number; resource: Resource }[], options?: { fresh?: boolean; prepared?: PreparedIndex }): Promise<void>;
  /** The CPU part of indexing (no rid needed), so that it can run while the resource rows are being inserted. */
  prepareIndex?(resources: readonly Resource[]): PreparedIndex;
  deleteIndex(tx: Queryable, rid: number): Promise<void>;
  appendEvents(tx: Queryable, events: readonly StoreEvent[]): Promise<void>;
  search(q: Queryable, resourceType: string | undefined, params: readonly [string, string][], options: { baseUrl: string; lenient?: boolean; compartment?: { resourceType: 'Patient'; id: string }; open?: (stored: Resource) => Resource }): Promise<Bundle>;
  findMatchingIds(q: Queryable, resourceType: string, query: string): Promise<{ rid: number; id: string; versionId: number }[]>;
  /** Encryption at rest of sensitive resources: the stored form, and back (see src/security/encryption). */
  sealer?: { seal(resource: Resource): Resource; open<T extends Resource>(stored: T): T };
  /** Clock, injectable for tests. */
  now?: () => Date;
}
