// Plain-language sentences for the patient, specific to the drug, the gene result and any interacting medicine.
import type { GenePhenotype } from '../../pgx/model.ts';
import { loadGuidanceKnowledge } from '../../pgx/recommend/knowledge.ts';

function geneWords(p: GenePhenotype): string {
  const ph = p.phenotype.toLowerCase();
  if (ph.includes('poor')) return `your ${p.gene} gene works very little or not at all`;
  if (ph.includes('intermediate') || ph.includes('decreased')) return `your ${p.gene} gene works less than usual`;
  if (ph.includes('ultrarapid') || ph.includes('rapid') || ph.includes('increased')) return `your ${p.gene} gene works faster than usual`;
  if (ph.includes('positive')) return `you carry the ${p.phenotype.replace(/ positive$/, '')} gene type`;
  if (ph.includes('normal')) return `your ${p.gene} gene works as usual`;
  return `your ${p.gene} result is "${p.phenotype}"`;
}

/** One or two short sentences: what the result means for this medicine and what the prescriber will do. */
export function patientSentence(drug: string, phenotypes: readonly GenePhenotype[], advice: string, interacting: readonly string[]): string {
  const genes = phenotypes.map(geneWords).join(', and ');
  const cause = interacting.length > 0 ? `Another medicine you take (${interacting.join(', ')}) slows down the same body process, so ${genes.replace(/works as usual/g, 'works less')}.` : `Your genes show that ${genes}.`;
  const action =
    advice === 'avoid'
      ? `Because of this, ${drug} may not work for you or may cause harm, so your prescriber may choose a different medicine.`
      : advice === 'dose-change'
        ? `Because of this, your body handles ${drug} differently, so your prescriber may give you a different dose.`
        : `This can change how ${drug} works for you; your prescriber will take it into account.`;
  return `${cause} ${action}`;
}

/** A short page for the patient about one drug and the genes that matter for it; undefined when no guidance exists. */
export function drugExplanation(drug: string): string | undefined {
  const files = loadGuidanceKnowledge().byDrug.get(drug);
  if (!files || files.length === 0) return undefined;
  const genes = [...new Set(files.flatMap((f) => f.genes))].sort();
  const cpic = files.find((f) => f.source === 'CPIC');
  return [
    `# ${drug} and your genes`,
    '',
    `Genes are the instructions your body is built from. Small differences in ${genes.length === 1 ? 'one gene' : 'some genes'} (${genes.join(', ')}) change how your body handles ${drug}.`,
    '',
    `- If your result shows that one of these genes works less, more, or differently than usual, ${drug} may not work as well, or may cause side effects at the usual dose.`,
    `- Some other medicines can slow down the same body process. Then your body may handle ${drug} as if the gene worked less, even if your gene result is usual.`,
    `- Your prescriber may choose a different medicine or a different dose because of this. Do not stop or change a medicine yourself: talk to your prescriber or pharmacist first.`,
    '',
    `These suggestions come from expert guidelines (${files.map((f) => f.source).filter((s, i, a) => a.indexOf(s) === i).join(' and ')}).${cpic ? ` Guideline: ${cpic.url}` : ''}`,
    '',
  ].join('\n');
}
