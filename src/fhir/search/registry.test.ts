// Every R4 SearchParameter becomes metadata, and every expression compiles and runs on an empty resource of its base.
import type { Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { extractIndexEntries } from './extract.ts';
import { r4SearchParameters } from './r4-data.ts';
import { compileExpression, expressionForBase, forConcreteType, getSearchParameters, searchableResourceTypes, topLevelElements } from './registry.ts';

describe('search parameter registry', () => {
  it('has every R4 SearchParameter for every one of its base types', () => {
    let checked = 0;
    for (const sp of r4SearchParameters()) {
      for (const base of (sp.base ?? []) as string[]) {
        if (base === 'Resource' || base === 'DomainResource') continue;
        const def = getSearchParameters(base).get(sp.code ?? '');
        expect(def, `${base}.${sp.code}`).toBeDefined();
        expect(def?.url).toBe(sp.url);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1300);
    for (const type of searchableResourceTypes()) expect(getSearchParameters(type).get('_tag')?.type).toBe('token');
  });

  it('compiles every expression and evaluates it on an empty resource of each base type without throwing', () => {
    let evaluated = 0;
    for (const type of searchableResourceTypes()) {
      for (const def of getSearchParameters(type).values()) {
        if (!def.expression) continue;
        const fn = compileExpression(def.expression);
        expect(() => fn({ resourceType: type }), `${def.key}: ${def.expression}`).not.toThrow();
        if (def.type === 'composite' && def.storage === 'index') for (const c of def.components) expect(() => compileExpression(c.expression)({})).not.toThrow();
        evaluated++;
      }
      expect(() => extractIndexEntries({ resourceType: type } as Resource)).not.toThrow();
    }
    expect(evaluated).toBeGreaterThan(2500);
  });

  it('splits multi-base expressions per base type and rewrites Resource-level and resolve() expressions', () => {
    expect(expressionForBase('Patient.name | Practitioner.name', 'Practitioner', ['Patient', 'Practitioner'])).toBe('Practitioner.name');
    expect(getSearchParameters('Practitioner').get('name')?.expression).not.toContain('Patient');
    expect(getSearchParameters('Observation').get('patient')?.expression).toBe("Observation.subject.where(reference.startsWith('Patient/'))");
    expect(forConcreteType('Resource.meta.tag', 'Patient')).toBe('Patient.meta.tag');
    expect(topLevelElements('Observation.value.as(Quantity) | Observation.component.value', 'Observation')).toEqual(new Set(['value', 'component']));
    expect(topLevelElements('%resource.x', 'Observation')).toBeUndefined();
  });

  it('declares the unsupported ones instead of dropping them', () => {
    expect(getSearchParameters('Patient').get('_text')?.storage).toBe('unsupported');
    expect(getSearchParameters('Location').get('near')?.storage).toBe('unsupported');
    expect(getSearchParameters('Patient').get('_id')).toMatchObject({ storage: 'column', column: 'id' });
    expect(getSearchParameters('Observation').get('code-value-quantity')).toMatchObject({ storage: 'index', components: [{ type: 'token' }, { type: 'quantity' }] });
  });
});
