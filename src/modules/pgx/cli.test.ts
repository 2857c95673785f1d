// `pgx call` through commander's parseAsync: formats, --out, outside calls, and exit codes on bad input.
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerPgxCli } from './cli.ts';
import { callVcf } from './matcher/caller.ts';
import { loadAlleleDefinitions } from './matcher/definitions.ts';
import { panelVcf } from './synthetic/allele-vcf.ts';
import type { VcfCaller } from './pipeline.ts';
import { call } from './test-support/calls.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const NOW = new Date('2026-11-25T06:00:00Z');

/** Stands in for the VCF reader + matcher: CYP2C19 *2/*2 for the fixture's sample. */
const fakeCaller: VcfCaller = async (_path, opts) => ({ sample: opts.sample ?? 'NA12878', calls: [call('CYP2C19', '*2/*2'), call('CYP2D6', '*1/*1')], alleleDefinitionsVersion: 'test-defs' });

function program(out: string[], callVcf: VcfCaller | null = fakeCaller): { prog: Command; errors: string[] } {
  const errors: string[] = [];
  const prog = new Command().exitOverride().configureOutput({ writeErr: (s) => errors.push(s), writeOut: (s) => out.push(s) });
  registerPgxCli(prog, { ...(callVcf ? { callVcf } : {}), now: () => NOW, stdout: (t) => out.push(t), progress: false });
  prog.commands.forEach((c) => c.exitOverride().configureOutput({ writeErr: (s) => errors.push(s) }));
  prog.commands.flatMap((c) => c.commands).forEach((c) => c.exitOverride().configureOutput({ writeErr: (s) => errors.push(s) }));
  return { prog, errors };
}

async function fails(args: string[], callVcf: VcfCaller | null = fakeCaller): Promise<{ exitCode: number; errors: string[] }> {
  const { prog, errors } = program([], callVcf);
  try {
    await prog.parseAsync(['node', 'flaura', ...args]);
  } catch (e) {
    if (e instanceof CommanderError) return { exitCode: e.exitCode, errors };
    throw e;
  }
  throw new Error('expected the command to fail');
}

describe('pgx call', () => {
  it('prints a JSON report; outside calls override the VCF call of the same gene', async () => {
    const out: string[] = [];
    await program(out).prog.parseAsync(['node', 'flaura', 'pgx', 'call', join(FIXTURES, 'sample.vcf'), '--outside-calls', join(FIXTURES, 'outside-calls.tsv'), '--format', 'json']);
    const report = JSON.parse(out.join('')) as { generatedAt: string; sample: string; dataVersion: { alleleDefinitions: string }; genes: Array<{ gene: string; phenotype: string; source: string; warnings: Array<{ code: string }> }>; drugs: Array<{ drug: string; status: string }> };
    expect(report.generatedAt).toBe('2026-11-25T06:00:00.000Z');
    expect(report.sample).toBe('NA12878');
    expect(report.dataVersion.alleleDefinitions).toBe('test-defs');
    const cyp2d6 = report.genes.find((g) => g.gene === 'CYP2D6');
    expect(cyp2d6).toMatchObject({ phenotype: 'Ultrarapid Metabolizer', source: 'outside-call' });
    expect(cyp2d6?.warnings.map((w) => w.code)).toContain('OUTSIDE_CALL_OVERRIDES');
    expect(report.genes.map((g) => g.gene)).toEqual(['CYP2C19', 'CYP2D6', 'HLA-B', 'MT-RNR1']);
    expect(report.drugs.find((d) => d.drug === 'abacavir')?.status).toBe('recommendation');
    expect(report.drugs.find((d) => d.drug === 'amikacin')?.status).toBe('recommendation');
  });

  it('writes the report and the patient explanation into --out', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pgx-cli-'));
    await program([]).prog.parseAsync(['node', 'flaura', 'pgx', 'call', join(FIXTURES, 'sample.vcf'), '--format', 'fhir', '--out', dir, '--sample', 'S-1']);
    expect((await readdir(dir)).sort()).toEqual(['S-1.fhir.json', 'S-1.patient.txt']);
    const bundle = JSON.parse(await readFile(join(dir, 'S-1.fhir.json'), 'utf8')) as { resourceType: string; entry: unknown[] };
    expect(bundle.resourceType).toBe('Bundle');
    expect(await readFile(join(dir, 'S-1.patient.txt'), 'utf8')).toMatch(/WHAT TO TELL OTHER DOCTORS/);
  });

  it('runs on outside calls alone with "-" and renders HTML and text', async () => {
    const html: string[] = [];
    await program(html, null).prog.parseAsync(['node', 'flaura', 'pgx', 'call', '-', '--outside-calls', join(FIXTURES, 'outside-calls.tsv'), '--format', 'html']);
    expect(html.join('')).toMatch(/^<!DOCTYPE html>/);
    const text: string[] = [];
    await program(text, null).prog.parseAsync(['node', 'flaura', 'pgx', 'call', '-', '--outside-calls', join(FIXTURES, 'outside-calls.tsv')]);
    expect(text.join('')).toMatch(/abacavir \(HLA-B\)/);
  });

  it('passes --all-matches and --sample to the VCF caller and drives the progress bar', async () => {
    const seen: Array<{ sample?: string; allMatches: boolean; progress: boolean }> = [];
    const caller: VcfCaller = async (path, opts) => {
      opts.onProgress?.(3 * 1048576, 4 * 1048576);
      seen.push({ ...(opts.sample ? { sample: opts.sample } : {}), allMatches: opts.allMatches, progress: opts.onProgress !== undefined });
      return fakeCaller(path, opts);
    };
    const out: string[] = [];
    const prog = new Command().exitOverride();
    registerPgxCli(prog, { callVcf: caller, now: () => NOW, stdout: (t) => out.push(t), progress: true });
    await prog.parseAsync(['node', 'flaura', 'pgx', 'call', join(FIXTURES, 'sample.vcf'), '--all-matches', '--sample', 'NA12878', '--format', 'text']);
    expect(seen).toEqual([{ sample: 'NA12878', allMatches: true, progress: true }]);
    expect(out.join('')).toMatch(/CYP2C19\s+\*2\/\*2\s+Poor Metabolizer/);
  });

  it('--find-combinations reaches the matcher: CYP2C9 *2 and *3 in cis are reported as [*2 + *3]/*1 only with the flag', async () => {
    const defs = loadAlleleDefinitions().genes;
    const cyp2c9 = defs.find((g) => g.gene === 'CYP2C9')!;
    const cis = new Set(['*2', '*3'].flatMap((name) => cyp2c9.alleles.find((a) => a.name === name)!.defining.map(([i]) => `${cyp2c9.positions[i]!.chromosome}\t${cyp2c9.positions[i]!.position}\t`)));
    const text = panelVcf(defs, {}).split('\n').map((l) => ([...cis].some((k) => l.startsWith(k)) ? l.replace(/0\/0$/, '1|0') : l)).join('\n');
    const dir = await mkdtemp(join(tmpdir(), 'pgx-cli-combo-'));
    const vcf = join(dir, 'cis.vcf');
    await writeFile(vcf, text);
    const report = async (...flags: string[]) => {
      const out: string[] = [];
      await program(out, callVcf).prog.parseAsync(['node', 'flaura', 'pgx', 'call', vcf, '--format', 'text', ...flags]);
      return out.join('');
    };
    expect(await report()).toMatch(/CYP2C9\s+not called\s+Indeterminate/);
    expect(await report('--find-combinations')).toMatch(/CYP2C9\s+\[\*2 \+ \*3\]\/\*1\s+Indeterminate/);
  });

  it('exits non-zero with a clear message on bad input', async () => {
    const bad = join(await mkdtemp(join(tmpdir(), 'pgx-cli-')), 'bad.tsv');
    await writeFile(bad, 'CYP2C19\t*1/*77\n');
    const r1 = await fails(['pgx', 'call', '-', '--outside-calls', bad]);
    expect(r1.exitCode).toBe(2);
    expect(r1.errors.join('')).toMatch(/bad\.tsv line 1: unknown CYP2C19 allele "\*77"/);
    const r2 = await fails(['pgx', 'call', join(FIXTURES, 'missing.vcf')]);
    expect(r2.errors.join('')).toMatch(/cannot read VCF file .*missing\.vcf: ENOENT/);
    const r3 = await fails(['pgx', 'call', join(FIXTURES, 'sample.vcf')], null);
    expect(r3.exitCode).toBe(3);
    expect(r3.errors.join('')).toMatch(/not wired/);
    const r4 = await fails(['pgx', 'call', '-']);
    expect(r4.errors.join('')).toMatch(/give a VCF file and\/or an outside-call file/);
    const r5 = await fails(['pgx', 'call', '-', '--format', 'pdf']);
    expect(r5.exitCode).not.toBe(0);
    expect(r5.errors.join('')).toMatch(/Allowed choices are json, fhir, html, text/);
  });
});
