// Data classes (genomic, SDOH, behavioural health, wearable) as security labels: decided from a resource's own
// content by the rules in data/security/data-classes.json and written into meta.security when it is stored, so every
// later access decision reads them from the resource instead of re-deriving them.
import type { Coding, Resource } from '@medplum/fhirtypes';
import data from '../../../data/security/data-classes.json' with { type: 'json' };

export const DATA_CLASS_SYSTEM = data.system;

interface Rule {
  resourceTypes?: string[];
  categories?: string[];
  codes?: string[];
  codePrefixes?: string[];
  codeSystems?: string[];
  profilePrefixes?: string[];
  identifierSystems?: string[];
  contentTypeIncludes?: string[];
  hasElement?: string;
}

interface DataClass { code: string; display: string; alsoLabel?: { system: string; code: string; display: string }; rules: Rule[] }

const classes = data.classes as DataClass[];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/** system|code of every Coding in the CodeableConcept(s) at `value`. */
function codings(value: unknown): { system: string; code: string }[] {
  return list(value).flatMap((cc) => (isObj(cc) ? list(cc.coding) : [])).filter(isObj).map((c) => ({ system: String(c.system ?? ''), code: String(c.code ?? '') }));
}

function contentTypes(resource: Obj): string[] {
  if (typeof resource.contentType === 'string') return [resource.contentType];
  return list(resource.content).filter(isObj).map((c) => (isObj(c.attachment) ? String(c.attachment.contentType ?? '') : ''));
}

function ruleMatches(rule: Rule, resource: Obj & { resourceType: string }): boolean {
  if (rule.resourceTypes && !rule.resourceTypes.includes(resource.resourceType)) return false;
  const keys = (cs: { system: string; code: string }[]) => cs.map((c) => `${c.system}|${c.code}`);
  if (rule.categories && !keys(codings(resource.category)).some((k) => rule.categories!.includes(k))) return false;
  const code = codings(resource.code);
  if (rule.codes && !keys(code).some((k) => rule.codes!.includes(k))) return false;
  if (rule.codePrefixes && !keys(code).some((k) => rule.codePrefixes!.some((p) => k.startsWith(p)))) return false;
  if (rule.codeSystems && !code.some((c) => rule.codeSystems!.includes(c.system))) return false;
  if (rule.profilePrefixes) {
    const profiles = isObj(resource.meta) ? list(resource.meta.profile).map(String) : [];
    if (!profiles.some((p) => rule.profilePrefixes!.some((x) => p.startsWith(x)))) return false;
  }
  if (rule.identifierSystems && !list(resource.identifier).filter(isObj).some((i) => rule.identifierSystems!.includes(String(i.system)))) return false;
  if (rule.contentTypeIncludes && !contentTypes(resource).some((t) => rule.contentTypeIncludes!.some((x) => t.toLowerCase().includes(x)))) return false;
  if (rule.hasElement && resource[rule.hasElement] === undefined) return false;
  return true;
}

/** The data classes (codes of DATA_CLASS_SYSTEM) a resource belongs to by its content. Pure. */
export function classifyResource(resource: Resource): string[] {
  const r = resource as unknown as Obj & { resourceType: string };
  return classes.filter((c) => c.rules.some((rule) => ruleMatches(rule, r))).map((c) => c.code);
}

/** The data classes a resource is labelled with (meta.security), as stored. */
export function labelledClasses(resource: { meta?: { security?: { system?: string; code?: string }[] } }): string[] {
  return (resource.meta?.security ?? []).filter((s) => s.system === DATA_CLASS_SYSTEM && s.code).map((s) => s.code!);
}

/**
 * The resource with its data-class labels added to meta.security, and the class's HL7 sensitivity code
 * (`alsoLabel`, e.g. GDIS for genomic data), which also makes the resource encrypted at rest
 * (data/security/sensitive-labels.json; reads and searches open it). Labels a writer set are kept: classification
 * only ever adds.
 */
export function withDataClassLabels<T extends Resource>(resource: T): T {
  const found = classifyResource(resource);
  if (found.length === 0) return resource;
  const security: Coding[] = [...(resource.meta?.security ?? [])];
  const has = (system: string, code: string) => security.some((s) => s.system === system && s.code === code);
  for (const code of found) {
    const c = classes.find((x) => x.code === code)!;
    if (!has(DATA_CLASS_SYSTEM, code)) security.push({ system: DATA_CLASS_SYSTEM, code, display: c.display });
    if (c.alsoLabel && !has(c.alsoLabel.system, c.alsoLabel.code)) security.push({ ...c.alsoLabel });
  }
  return { ...resource, meta: { ...resource.meta, security } };
}
