// CYP2D6 copy-number notation: CPIC tables list `*1x2` and `*1x≥3`; lab reports write `*1x3`, `*1x4`, `*1xN`.
import type { PgxWarning } from '../../model.ts';

/**
 * Maps a CYP2D6 allele as written by a lab to the CPIC table's name (`*13+*1` → `*13 + *1`): `xN` with N ≥ 3 → `x≥3` (CPIC 2019+
 * activity score: the duplicated allele's value × copies, open-ended at three copies or more, giving the
 * `≥3.0` … bins). `xN` with an unknown N cannot be scored (CPIC: "xN is not a valid input").
 */
export function normaliseCyp2d6Allele(raw: string): { allele: string; warning?: PgxWarning } {
  // tandem arrangements are written `*13 + *1` in the CPIC table; labs often drop the spaces
  const allele = raw.trim().replace(/\s*\+\s*/g, ' + ');
  const m = /^(.*?)[x×](\d+|N|n|≥3)$/.exec(allele);
  if (!m || m[1] === undefined || m[2] === undefined) return { allele };
  const base = m[1];
  const copies = m[2];
  if (copies === 'N' || copies === 'n') {
    return { allele: `${base}xN`, warning: { code: 'CN_UNSPECIFIED', message: `CYP2D6 ${allele}: the copy number is unknown, so no activity score can be assigned (CPIC requires x2 or x≥3).` } };
  }
  if (copies === '≥3' || Number(copies) >= 3) return { allele: `${base}x≥3` };
  if (Number(copies) === 1) return { allele: base };
  return { allele: `${base}x${copies}` };
}
