// The CapabilityStatement (R4 capabilitystatement.html): generated from what the server really supports.
import type { CapabilityStatement, CapabilityStatementRestResource } from '@medplum/fhirtypes';
import type { OperationDefinition } from './router.ts';

export interface CapabilityInputs {
  baseUrl: string;
  softwareVersion: string;
  resourceTypes: readonly string[];
  /** Search parameters per resource type, as published by the search engine. */
  searchParams(resourceType: string): readonly { name: string; type: string; definition?: string; documentation?: string }[];
  /** `_include` / `_revinclude` values per resource type. */
  includes?(resourceType: string): { include: string[]; revinclude: string[] };
  operations: readonly OperationDefinition[];
  /** Extra `rest.security` (added by the security layer). */
  security?: CapabilityStatement['rest'] extends (infer R)[] | undefined ? R extends { security?: infer S } ? S : never : never;
  now: Date;
}

const INTERACTIONS = ['read', 'vread', 'update', 'patch', 'delete', 'history-instance', 'history-type', 'create', 'search-type'] as const;

export function buildCapabilityStatement(input: CapabilityInputs): CapabilityStatement {
  const resource: CapabilityStatementRestResource[] = input.resourceTypes.map((type) => {
    const includes = input.includes?.(type);
    const typeOps = input.operations.filter((o) => (o.scope.type || o.scope.instance) && (!o.scope.resourceTypes || o.scope.resourceTypes.includes(type)));
    return {
      type: type as CapabilityStatementRestResource['type'],
      profile: `http://hl7.org/fhir/StructureDefinition/${type}`,
      interaction: INTERACTIONS.map((code) => ({ code })),
      versioning: 'versioned-update',
      readHistory: true,
      updateCreate: true,
      conditionalCreate: true,
      conditionalRead: 'not-supported',
      conditionalUpdate: true,
      conditionalDelete: 'single',
      referencePolicy: ['literal', 'logical', 'local'],
      ...(includes ? { searchInclude: includes.include, searchRevInclude: includes.revinclude } : {}),
      searchParam: input.searchParams(type).map((p) => ({ name: p.name, type: p.type as 'token', ...(p.definition ? { definition: p.definition } : {}), ...(p.documentation ? { documentation: p.documentation } : {}) })),
      ...(typeOps.length ? { operation: typeOps.map((o) => ({ name: o.name, definition: `http://hl7.org/fhir/OperationDefinition/${type}-${o.name}` })) } : {}),
    };
  });
  const systemOps = input.operations.filter((o) => o.scope.system);
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: input.now.toISOString(),
    publisher: 'Flaura',
    kind: 'instance',
    software: { name: 'Flaura', version: input.softwareVersion },
    implementation: { description: 'Flaura FHIR R4 server', url: input.baseUrl },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    patchFormat: ['application/json-patch+json', 'application/fhir+json'],
    rest: [
      {
        mode: 'server',
        ...(input.security ? { security: input.security } : {}),
        resource,
        interaction: [{ code: 'transaction' }, { code: 'batch' }, { code: 'search-system' }, { code: 'history-system' }],
        ...(systemOps.length ? { operation: systemOps.map((o) => ({ name: o.name, definition: `http://hl7.org/fhir/OperationDefinition/${o.name}` })) } : {}),
      },
    ],
  };
}
