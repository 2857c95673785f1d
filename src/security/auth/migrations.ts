// Tables of the authorization server. Secrets (codes, refresh tokens, client secrets) are stored only as hashes;
// private signing keys only sealed with the master key ring, so a database dump alone cannot mint tokens.
import type { Migration } from '../../db/index.ts';

export const authMigrations: Migration[] = [
  {
    id: 'auth/001-tables',
    sql: `
      -- Token signing keys, shared by every node on one database. retired_at is set when a newer key takes over.
      CREATE TABLE auth_signing_key (
        kid text PRIMARY KEY,
        alg text NOT NULL,
        public_jwk jsonb NOT NULL,
        private_sealed text NOT NULL,
        created_at timestamptz NOT NULL,
        retired_at timestamptz
      );

      CREATE TABLE auth_client (
        client_id text PRIMARY KEY,
        name text NOT NULL,
        -- public: browser/native app with PKCE; confidential: client secret; backend: SMART Backend Services (JWKS).
        client_type text NOT NULL CHECK (client_type IN ('public', 'confidential', 'backend')),
        redirect_uris jsonb NOT NULL DEFAULT '[]',
        secret_hash text,
        jwks jsonb,
        -- Upper bound of what the client may be granted.
        scope text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE auth_user (
        id text PRIMARY KEY,
        username text NOT NULL UNIQUE,
        password_hash text NOT NULL,
        role text NOT NULL,
        patient_id text,
        fhir_user text,
        failed_logins integer NOT NULL DEFAULT 0,
        locked_until timestamptz,
        disabled boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE auth_code (
        code_hash text PRIMARY KEY,
        client_id text NOT NULL,
        user_id text NOT NULL,
        redirect_uri text NOT NULL,
        scope text NOT NULL,
        code_challenge text NOT NULL,
        patient_id text,
        encounter_id text,
        nonce text,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        -- Access tokens minted from this code, revoked if the code is replayed (RFC 6749 §4.1.2).
        family_id text NOT NULL
      );

      CREATE TABLE auth_refresh_token (
        token_hash text PRIMARY KEY,
        family_id text NOT NULL,
        client_id text NOT NULL,
        user_id text NOT NULL,
        scope text NOT NULL,
        patient_id text,
        encounter_id text,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX auth_refresh_token_family ON auth_refresh_token (family_id);

      -- Access tokens issued per family, so that a replayed code or refresh token revokes them too.
      CREATE TABLE auth_issued_token (
        jti text PRIMARY KEY,
        family_id text,
        client_id text,
        subject text NOT NULL,
        scope text NOT NULL,
        expires_at timestamptz NOT NULL
      );
      CREATE INDEX auth_issued_token_family ON auth_issued_token (family_id);

      CREATE TABLE auth_revoked_token (
        jti text PRIMARY KEY,
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX auth_revoked_token_revoked ON auth_revoked_token (revoked_at);

      -- EHR launch contexts (POST /auth/launch), referenced by the opaque launch parameter.
      CREATE TABLE auth_launch (
        id text PRIMARY KEY,
        patient_id text,
        encounter_id text,
        created_by text NOT NULL,
        expires_at timestamptz NOT NULL
      );

      -- Client-assertion ids seen (SMART Backend Services: a jti must not be reused before it expires).
      CREATE TABLE auth_assertion_jti (
        client_id text NOT NULL,
        jti text NOT NULL,
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (client_id, jti)
      );
    `,
  },
];
