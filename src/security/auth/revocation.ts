// Revoked access-token ids. Every node keeps the set in memory and re-reads what other nodes added at most every
// `pollMs`, so a check costs no query per request; revocations made on this node apply at once.
import type { Db, Queryable } from '../../db/index.ts';

export class RevocationList {
  private revoked = new Map<string, number>();
  private lastPoll = 0;
  private since = new Date(0);
  private polling?: Promise<void>;

  constructor(
    private readonly db: Db,
    private readonly pollMs = 2000,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async revoke(jti: string, expiresAt: Date, tx: Queryable = this.db): Promise<void> {
    await tx.query('INSERT INTO auth_revoked_token (jti, expires_at) VALUES ($1, $2) ON CONFLICT (jti) DO NOTHING', [jti, expiresAt]);
    this.revoked.set(jti, expiresAt.getTime());
  }

  /** Revokes every recorded access token of a code/refresh-token family (replay detected). */
  async revokeFamily(familyId: string, tx: Queryable = this.db): Promise<number> {
    const rows = (await tx.query<{ jti: string; expires_at: Date | string }>('SELECT jti, expires_at FROM auth_issued_token WHERE family_id = $1', [familyId])).rows;
    for (const r of rows) await this.revoke(r.jti, new Date(r.expires_at), tx);
    return rows.length;
  }

  async isRevoked(jti: string): Promise<boolean> {
    if (this.now().getTime() - this.lastPoll > this.pollMs) await this.poll();
    return this.revoked.has(jti);
  }

  private async poll(): Promise<void> {
    this.polling ??= (async () => {
      try {
        const now = this.now();
        // Overlap the window by a second: rows committed late by another node are not missed.
        const since = new Date(this.since.getTime() - 1000);
        const rows = (await this.db.query<{ jti: string; expires_at: Date | string; revoked_at: Date | string }>(
          'SELECT jti, expires_at, revoked_at FROM auth_revoked_token WHERE revoked_at >= $1 AND expires_at > $2',
          [since, now],
        )).rows;
        for (const r of rows) {
          this.revoked.set(r.jti, new Date(r.expires_at).getTime());
          const at = new Date(r.revoked_at);
          if (at > this.since) this.since = at;
        }
        for (const [jti, exp] of this.revoked) if (exp < now.getTime()) this.revoked.delete(jti);
        this.lastPoll = now.getTime();
      } finally {
        this.polling = undefined;
      }
    })();
    await this.polling;
  }
}
