// "Result on file, not shared with you": the patient's consent withholds the genetic result a drug's guidance
// depends on. The card says so without the result, and how to see it (break-the-glass, audited).
import { randomUUID } from 'node:crypto';
import { summary, type CardCandidate } from '../cards.ts';
import { cpicActionableGenes } from './gene-drug.ts';

export function withheldCard(drug: string, withheld: ReadonlySet<string>): CardCandidate | undefined {
  const genes = cpicActionableGenes(drug).filter((g) => withheld.has(g));
  if (genes.length === 0) return undefined;
  return {
    kind: 'pgx-withheld',
    drug,
    genes,
    issueKey: `pgx-withheld|${genes.join('+')}`,
    card: {
      uuid: randomUUID(),
      summary: summary(`${drug}: the patient's ${genes.join('/')} result is not shared with you (patient's consent)`),
      detail: `CPIC gives actionable ${drug} advice by ${genes.join(' and ')} result. This patient has a ${genes.join('/')} result on file, but their consent withholds genetic results from you for this purpose, so it was not used here. In an emergency, break-the-glass access (recorded in the patient's access log) lets this check use it.`,
      indicator: 'info',
      source: { label: 'Flaura (patient consent)' },
    },
  };
}
