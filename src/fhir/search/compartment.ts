// Patient compartment membership (https://hl7.org/fhir/R4/compartmentdefinition-patient.html) as index conditions.
import { FlauraError } from '../../errors.ts';
import { r4PatientCompartment } from './r4-data.ts';
import type { SqlParams } from './sql/params.ts';

let members: Map<string, string[]> | undefined;

/** Resource type -> the params that place it in a Patient's compartment (types without params are not members). */
export function patientCompartmentParams(): ReadonlyMap<string, string[]> {
  members ??= new Map((r4PatientCompartment().resource ?? []).filter((r) => (r.param ?? []).length > 0).map((r) => [r.code, r.param ?? []]));
  return members;
}

/** Reference keys (`Observation.subject`, …) that put a resource of `resourceType` (or any) in the compartment. */
export function compartmentKeys(resourceType: string | undefined): string[] {
  const map = patientCompartmentParams();
  if (resourceType) {
    const params = map.get(resourceType);
    if (!params && resourceType !== 'Patient') throw new FlauraError('SEARCH_INVALID_VALUE', 400, `${resourceType} is not in the Patient compartment`);
    return (params ?? []).filter((p) => p !== '{def}').map((p) => `${resourceType}.${p}`);
  }
  return [...map].flatMap(([type, params]) => params.filter((p) => p !== '{def}').map((p) => `${type}.${p}`));
}

/** True for rows of alias `r` that belong to Patient/`patientId`'s compartment (the patient itself included). */
export function compartmentCondition(resourceType: string | undefined, patientId: string, r: string, sql: SqlParams): string {
  const keys = compartmentKeys(resourceType);
  const id = sql.add(patientId);
  const x = sql.alias('pc');
  const self = `(${r}.resource_type = 'Patient' AND ${r}.id = ${id})`;
  if (keys.length === 0) return self;
  const member = `${r}.rid IN (SELECT ${x}.rid FROM fhir_search_reference ${x} WHERE ${x}.param = ANY(${sql.add(keys, 'text[]')}) AND ${x}.target_type = 'Patient' AND ${x}.target_id = ${id})`;
  return resourceType && resourceType !== 'Patient' ? member : `(${member} OR ${self})`;
}
