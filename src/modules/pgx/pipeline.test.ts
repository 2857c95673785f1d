// Pipeline: outside-call files (TSV and FHIR JSON), merging with VCF calls, data versions, DPWG opt-out.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FlauraError } from '../../errors.ts';
import { mergeCalls, parseOutsideCallFile, runPgx } from './pipeline.ts';
import { call } from './test-support/calls.ts';

describe('runPgx', () => {
  it('reads FHIR JSON outside calls and records the input for provenance', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pgx-pipe-'));
    const file = join(dir, 'hla.json');
    await writeFile(file, JSON.stringify({
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '84413-4' }] },
      valueCodeableConcept: { text: 'HLA-B*58:01/HLA-B*15:02' },
      component: [{ code: { coding: [{ system: 'http://loinc.org', code: '48018-6' }] }, valueCodeableConcept: { coding: [{ system: 'http://www.genenames.org/geneId', code: 'HGNC:4932', display: 'HLA-B' }] } }],
    }));
    const r = await runPgx({ outsideCalls: file, dpwg: false });
    expect(r.inputs).toEqual([expect.objectContaining({ kind: 'outside-call', name: 'hla.json', contentType: 'application/fhir+json', size: expect.any(Number), sha1: expect.stringMatching(/=$/) })]);
    expect(r.dataVersion).toEqual({ alleleDefinitions: 'not used (outside calls only)', phenotypes: expect.stringContaining('2025-11-05'), cpicRecommendations: '2024-03-25-16-13', messageRules: expect.stringMatching(/5431bf1/) });
    expect(r.attributions).toHaveLength(1);
    const allopurinol = r.drugs.find((d) => d.drug === 'allopurinol');
    expect(allopurinol?.recommendations.map((m) => m.lookupKey)).toEqual([{ 'HLA-B': '*58:01 positive' }]);
    expect(r.drugs.find((d) => d.drug === 'carbamazepine')?.recommendations.every((m) => m.source === 'CPIC')).toBe(true);
  });

  it('rejects malformed JSON with a 400', () => {
    expect(() => parseOutsideCallFile('{"resourceType":', 'x.json')).toThrow(FlauraError);
  });

  it('mergeCalls: outside calls replace VCF calls of the same gene and add the others', () => {
    const merged = mergeCalls([call('CYP2D6', '*1/*1'), call('CYP2C19', '*1/*2')], [{ ...call('CYP2D6', '*1/*1x2'), source: 'outside-call' }, { ...call('HLA-B', '*57:01/*08:01'), source: 'outside-call' }]);
    expect(merged.map((c) => [c.gene, c.source, c.diplotypes[0]?.name])).toEqual([['CYP2D6', 'outside-call', '*1/*1x2'], ['CYP2C19', 'vcf', '*1/*2'], ['HLA-B', 'outside-call', '*57:01/*08:01']]);
    expect(merged[0]?.warnings[0]?.code).toBe('OUTSIDE_CALL_OVERRIDES');
  });
});
