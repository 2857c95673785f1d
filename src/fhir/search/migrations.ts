// Search index tables: one narrow table per parameter type, keyed by fhir_resource.rid and a `Type.code` param key.
import type { Migration } from '../../db/index.ts';

/*
 * Index rows are deleted with their resource (ON DELETE CASCADE) and replaced on every write. Each table has a
 * `(param, value…)` btree for searches and an `(rid)` btree for replacement, sorting and includes.
 */
const INDEX_TABLES_SQL = `
      CREATE TABLE fhir_search_token (
        rid bigint NOT NULL REFERENCES fhir_resource (rid) ON DELETE CASCADE,
        param text NOT NULL,
        system text,
        code text,
        text text,
        type_system text,
        type_code text
      );
      CREATE INDEX fhir_search_token_code ON fhir_search_token (param, code, system);
      CREATE INDEX fhir_search_token_text ON fhir_search_token (param, text text_pattern_ops) WHERE text IS NOT NULL;
      CREATE INDEX fhir_search_token_rid ON fhir_search_token (rid, param);

      CREATE TABLE fhir_search_string (
        rid bigint NOT NULL REFERENCES fhir_resource (rid) ON DELETE CASCADE,
        param text NOT NULL,
        norm text NOT NULL,
        exact text NOT NULL
      );
      CREATE INDEX fhir_search_string_norm ON fhir_search_string (param, norm text_pattern_ops);
      CREATE INDEX fhir_search_string_rid ON fhir_search_string (rid, param);

      CREATE TABLE fhir_search_date (
        rid bigint NOT NULL REFERENCES fhir_resource (rid) ON DELETE CASCADE,
        param text NOT NULL,
        low timestamptz NOT NULL,
        high timestamptz NOT NULL
      );
      CREATE INDEX fhir_search_date_low ON fhir_search_date (param, low);
      CREATE INDEX fhir_search_date_high ON fhir_search_date (param, high);
      CREATE INDEX fhir_search_date_rid ON fhir_search_date (rid, param);

      CREATE TABLE fhir_search_number (
        rid bigint NOT NULL REFERENCES fhir_resource (rid) ON DELETE CASCADE,
        param text NOT NULL,
        low numeric,
        high numeric
      );
      CREATE INDEX fhir_search_number_low ON fhir_search_number (param, low);
      CREATE INDEX fhir_search_number_rid ON fhir_search_number (rid, param);

      CREATE TABLE fhir_search_quantity (
        rid bigint NOT NULL REFERENCES fhir_resource (rid) ON DELETE CASCADE,
        param text NOT NULL,
        low numeric,
        high numeric,
        system text,
        code text,
        unit text
      );
      CREATE INDEX fhir_search_quantity_low ON fhir_search_quantity (param, low);
      CREATE INDEX fhir_search_quantity_rid ON fhir_search_quantity (rid, param);

      CREATE TABLE fhir_search_reference (
        rid bigint NOT NULL REFERENCES fhir_resource (rid) ON DELETE CASCADE,
        param text NOT NULL,
        target_type text,
        target_id text,
        version text,
        url text,
        ident_system text,
        ident_value text
      );
      CREATE INDEX fhir_search_reference_target ON fhir_search_reference (target_id, param, target_type);
      CREATE INDEX fhir_search_reference_url ON fhir_search_reference (param, url) WHERE url IS NOT NULL;
      CREATE INDEX fhir_search_reference_ident ON fhir_search_reference (param, ident_value) WHERE ident_value IS NOT NULL;
      CREATE INDEX fhir_search_reference_rid ON fhir_search_reference (rid, param);

      CREATE TABLE fhir_search_uri (
        rid bigint NOT NULL REFERENCES fhir_resource (rid) ON DELETE CASCADE,
        param text NOT NULL,
        value text NOT NULL
      );
      CREATE INDEX fhir_search_uri_value ON fhir_search_uri (param, value text_pattern_ops);
      CREATE INDEX fhir_search_uri_rid ON fhir_search_uri (rid, param);

      -- A token component paired with a second component of any type (code-value-quantity, …).
      CREATE TABLE fhir_search_composite (
        rid bigint NOT NULL REFERENCES fhir_resource (rid) ON DELETE CASCADE,
        param text NOT NULL,
        t_system text,
        t_code text,
        v_system text,
        v_code text,
        v_text text,
        v_low numeric,
        v_high numeric,
        v_start timestamptz,
        v_end timestamptz
      );
      CREATE INDEX fhir_search_composite_code ON fhir_search_composite (param, t_code);
      CREATE INDEX fhir_search_composite_rid ON fhir_search_composite (rid, param);
`;

/**
 * One migration per statement: the PGlite driver runs a migration as one prepared statement, which may not hold
 * several commands.
 */
export const searchMigrations: Migration[] = INDEX_TABLES_SQL.split(';')
  .map((statement) => statement.trim())
  .filter((statement) => statement !== '')
  .map((sql, i) => ({ id: `fhir-search/001-index-tables/${String(i + 1).padStart(2, '0')}`, sql }));

/** Canonical UCUM form of quantities (value range in base units + base-unit expression), so 1000 mg finds 1 g. */
searchMigrations.push({
  id: 'fhir-search/002-quantity-canonical',
  sql: 'ALTER TABLE fhir_search_quantity ADD COLUMN canonical_low numeric, ADD COLUMN canonical_high numeric, ADD COLUMN canonical_unit text',
}, {
  id: 'fhir-search/003-quantity-canonical-index',
  sql: 'CREATE INDEX fhir_search_quantity_canonical ON fhir_search_quantity (param, canonical_unit, canonical_low) WHERE canonical_unit IS NOT NULL',
});

/**
 * The index tables' foreign keys to fhir_resource cost a row lookup per inserted index row (about 80 % of the
 * index-insert time of a transaction bundle, measured with EXPLAIN ANALYZE). Index rows are written only by the
 * store, in the transaction that wrote their resource and with the rid it returned, and fhir_resource rows are
 * never removed (a delete keeps the row and removes its index rows), so the keys protect nothing the code does not.
 */
const FK_TABLES = ['token', 'string', 'date', 'number', 'quantity', 'reference', 'uri', 'composite'];
FK_TABLES.forEach((t, i) => searchMigrations.push({
  id: `fhir-search/004-drop-foreign-keys/${String(i + 1).padStart(2, '0')}`,
  sql: `ALTER TABLE fhir_search_${t} DROP CONSTRAINT IF EXISTS fhir_search_${t}_rid_fkey`,
}));

/**
 * Token matches as rid-ordered index ranges: with rid last, an equality on (param, code, system) returns rids in
 * order, so a page of the first matches is a merge join that stops early instead of hashing every match. The
 * planner treats param, code and system as independent and underestimated common codes 4×; functional
 * dependency statistics correct that (system follows from code).
 */
searchMigrations.push(
  { id: 'fhir-search/005-token-code-rid', sql: 'CREATE INDEX fhir_search_token_code_rid ON fhir_search_token (param, code, system, rid)' },
  { id: 'fhir-search/006-drop-token-code', sql: 'DROP INDEX IF EXISTS fhir_search_token_code' },
  { id: 'fhir-search/007-token-statistics', sql: 'CREATE STATISTICS IF NOT EXISTS fhir_search_token_dependencies (dependencies) ON param, code, system FROM fhir_search_token' },
);

/** Index tables, for replacement and deletion. */
export const INDEX_TABLES = ['fhir_search_token', 'fhir_search_string', 'fhir_search_date', 'fhir_search_number', 'fhir_search_quantity', 'fhir_search_reference', 'fhir_search_uri', 'fhir_search_composite'] as const;
