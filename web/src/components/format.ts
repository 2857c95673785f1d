// Display helpers for FHIR data types (names, codes, dates, quantities): one wording everywhere.
import type { CodeableConcept, HumanName, Patient, Quantity } from '@medplum/fhirtypes';

export function personName(names: HumanName[] | undefined): string {
  const n = names?.find((x) => x.use === 'official') ?? names?.[0];
  if (!n) return 'Unnamed';
  if (n.text) return n.text;
  return [...(n.given ?? []), n.family].filter(Boolean).join(' ') || 'Unnamed';
}

export function conceptText(c: CodeableConcept | undefined): string {
  return c?.text ?? c?.coding?.find((x) => x.display)?.display ?? c?.coding?.[0]?.code ?? 'Unknown';
}

const dateFmt = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
const dateTimeFmt = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

export function formatDate(iso: string | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : iso.length <= 10 ? dateFmt.format(d) : dateTimeFmt.format(d);
}

export function age(birthDate: string | undefined, now = new Date()): number | undefined {
  if (!birthDate) return undefined;
  const b = new Date(birthDate);
  let a = now.getFullYear() - b.getFullYear();
  if (now.getMonth() < b.getMonth() || (now.getMonth() === b.getMonth() && now.getDate() < b.getDate())) a--;
  return a;
}

/** A unit as people read it: UCUM annotations and brackets dropped (`{steps}` → steps, `mm[Hg]` → mmHg). */
export function unitText(unit: string): string {
  return unit.replace(/\{([^}]*)\}/g, '$1').replace(/[[\]]/g, '');
}

/** A measured value with sensible precision (daily means arrive as 72.667): 2 decimals below 10, else 1. */
export function quantity(q: Quantity | undefined): string {
  if (!q || q.value === undefined) return '—';
  const digits = Math.abs(q.value) < 10 ? 2 : 1;
  const value = q.value.toLocaleString('en-US', { maximumFractionDigits: digits });
  return `${value}${q.unit ? ` ${unitText(q.unit)}` : ''}`;
}

export function patientSummary(p: Patient): string {
  const a = age(p.birthDate);
  return [p.gender, a !== undefined ? `${a} y` : undefined, p.birthDate ? `born ${formatDate(p.birthDate)}` : undefined].filter(Boolean).join(' · ');
}
