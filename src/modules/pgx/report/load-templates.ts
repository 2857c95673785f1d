// Loads the patient-explanation templates once from data/pgx/phenotypes/.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_PGX_DATA_DIR } from '../phenotype/knowledge.ts';
import type { PatientTemplates } from './patient.ts';

const cache = new Map<string, PatientTemplates>();

/** Reads data/pgx/phenotypes/patient-explanations.json (cached per folder). */
export function loadPatientTemplates(dataDir: string = DEFAULT_PGX_DATA_DIR): PatientTemplates {
  const hit = cache.get(dataDir);
  if (hit) return hit;
  const t = JSON.parse(readFileSync(join(dataDir, 'phenotypes/patient-explanations.json'), 'utf8')) as PatientTemplates;
  cache.set(dataDir, t);
  return t;
}
