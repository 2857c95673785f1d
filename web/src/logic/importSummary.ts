// What the import screens say after an upload: the server's answer (wearables ingest counts or a stored PGx result) in words.

/** Human summary of an import answer (wearables ingest counts or a PGx result). */
export function describeImport(result: unknown): string {
  const r = (result ?? {}) as Record<string, unknown>;
  const parts = ['inserted', 'created', 'duplicates', 'updated', 'rejected', 'skipped'].filter((k) => typeof r[k] === 'number').map((k) => `${r[k]} ${k}`);
  if (parts.length) return `Imported: ${parts.join(', ')}.`;
  if (Array.isArray(r.genes)) {
    const genes = r.genes as { gene?: string; phenotype?: string; warnings?: string[] }[];
    const notable = genes.filter((g) => g.phenotype && !/^normal|^negative|indeterminate|uncertain/i.test(g.phenotype)).map((g) => `${g.gene} ${g.phenotype}`);
    const what = r.status === 'unchanged' ? 'This result was already on record; nothing changed.' : `Stored results for ${genes.length} genes (DiagnosticReport/${String(r.reportId ?? '')}).`;
    // A call from the VCF without copy number (CYP2D6 opt-in), and a lab call that stays current, are said in words.
    const noCopyNumber = genes.filter((g) => g.warnings?.some((w) => w.endsWith('_COPY_NUMBER_NOT_ASSESSED'))).map((g) => `${g.gene} was called from the VCF without copy number; confirm it before acting on it.`);
    const kept = Array.isArray(r.warnings) ? (r.warnings as { message?: string }[]).flatMap((w) => (w.message ? [w.message] : [])) : [];
    return [notable.length ? `${what} Needs attention: ${notable.join(', ')}.` : what, ...noCopyNumber, ...kept].join(' ');
  }
  return 'The file was accepted.';
}
