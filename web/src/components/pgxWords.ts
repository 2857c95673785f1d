// Plain words for PGx phenotypes: which results need attention, and what they mean to a patient.
export type Tone = 'critical' | 'warning' | 'normal' | 'unknown';

export function phenotypeTone(phenotype: string): Tone {
  const p = phenotype.toLowerCase();
  if (/poor|positive|deficien|no function|ultrarapid|malignant hyperthermia susceptible/.test(p)) return 'critical';
  if (/intermediate|decreased|rapid|possible|increased|likely/.test(p)) return 'warning';
  if (/normal|negative|extensive|typical/.test(p)) return 'normal';
  return 'unknown';
}

/** One or two sentences a patient can read: what the result means and what to do (nothing on their own). */
export function explainForPatient(gene: string, phenotype: string, drugs: string[]): string {
  const p = phenotype.toLowerCase();
  const meds = drugs.length ? ` This matters for ${drugs.slice(0, 6).join(', ')}${drugs.length > 6 ? ' and others' : ''}.` : '';
  let what: string;
  if (p.includes('poor metabolizer')) what = `Your ${gene} gene makes an enzyme that works very little or not at all. Some medicines are broken down or activated much less in your body, so they may not work or may build up.`;
  else if (p.includes('intermediate metabolizer')) what = `Your ${gene} gene makes an enzyme that works less than usual. Some medicines may need a different dose or another choice.`;
  else if (p.includes('ultrarapid') || p.includes('rapid metabolizer')) what = `Your ${gene} gene makes an enzyme that works faster than usual. Some medicines may be used up quickly or turned into their active form faster.`;
  else if (p.includes('poor function') || p.includes('decreased function')) what = `Your ${gene} gene works less than usual, which changes how some medicines reach or leave your body.`;
  else if (p.includes('positive')) what = `You carry a ${gene} variant linked to a serious reaction to certain medicines. Those medicines should be avoided.`;
  else if (p.includes('normal') || p.includes('negative')) what = `Your ${gene} result is typical: medicines affected by this gene can usually be given in the usual way.`;
  else what = `Your ${gene} result is “${phenotype}”.`;
  return `${what}${meds} Your care team uses this when choosing medicines — do not stop or change a medicine on your own.`;
}
