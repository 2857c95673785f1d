// Tables of the resource store: the current version of every resource and every version ever written.
import type { Migration } from '../../db/index.ts';

export const storeMigrations: Migration[] = [
  {
    id: 'fhir-store/001-resources',
    sql: `
      -- rid is a compact surrogate key so that search-index tables stay narrow and joins are on one bigint.
      CREATE TABLE fhir_resource (
        rid bigserial UNIQUE NOT NULL,
        resource_type text NOT NULL,
        id text NOT NULL,
        version_id bigint NOT NULL,
        last_updated timestamptz NOT NULL,
        deleted boolean NOT NULL DEFAULT false,
        content jsonb,
        PRIMARY KEY (resource_type, id)
      );
      CREATE INDEX fhir_resource_type_updated ON fhir_resource (resource_type, last_updated) WHERE NOT deleted;

      CREATE TABLE fhir_resource_history (
        resource_type text NOT NULL,
        id text NOT NULL,
        version_id bigint NOT NULL,
        last_updated timestamptz NOT NULL,
        deleted boolean NOT NULL DEFAULT false,
        method text NOT NULL,
        content jsonb,
        PRIMARY KEY (resource_type, id, version_id)
      );
      CREATE INDEX fhir_resource_history_updated ON fhir_resource_history (last_updated);
      CREATE INDEX fhir_resource_history_type_updated ON fhir_resource_history (resource_type, last_updated);
    `,
  },
];
