// Topic patterns (NATS subject rules) and retry backoff: pure functions.
import { describe, expect, it } from 'vitest';
import { backoffDelay } from './consumer.ts';
import { compileTopicPatterns, topicMatches, topicPatternsRegex, validateTopic } from './topics.ts';

describe('topic patterns', () => {
  it.each([
    ['fhir.*.*', 'fhir.Observation.create', true],
    ['fhir.*.*', 'fhir.Observation', false],
    ['fhir.*.*', 'access.Patient', false],
    ['fhir.Observation.*', 'fhir.Observation.delete', true],
    ['fhir.Observation.*', 'fhir.ObservationDefinition.delete', false],
    ['access.*', 'access.Patient', true],
    ['access.*', 'access.Patient.extra', false],
    ['fhir.>', 'fhir.Patient.update', true],
    ['fhir.>', 'fhir', false],
    ['>', 'anything.at.all', true],
    ['wearables.import-done', 'wearables.import-done', true],
  ])('%s matches %s: %s', (pattern, topic, expected) => {
    expect(topicMatches([pattern], topic)).toBe(expected);
  });

  it('matches any of several patterns, and the same regex works in PostgreSQL syntax', () => {
    const match = compileTopicPatterns(['fhir.Patient.*', 'access.*']);
    expect(['fhir.Patient.create', 'access.Encounter', 'fhir.Encounter.create'].map(match)).toEqual([true, true, false]);
    expect(topicPatternsRegex(['fhir.*.create'])).toBe('^(fhir\\.[^.]+\\.create)$');
  });

  it('rejects wildcards in the middle, empty parts and wildcards in concrete topics', () => {
    expect(() => compileTopicPatterns(['fhir.>.create'])).toThrow(/Invalid topic pattern/);
    expect(() => compileTopicPatterns(['fhir..create'])).toThrow(/Invalid topic pattern/);
    expect(() => compileTopicPatterns(['fhir.Pat ient'])).toThrow(/Invalid topic pattern/);
    expect(() => validateTopic('fhir.*.create')).toThrow(/Invalid event topic/);
    expect(() => validateTopic('fhir.Patient.create')).not.toThrow();
  });
});

describe('backoffDelay', () => {
  it('doubles from the base and stops at the cap', () => {
    expect([1, 2, 3, 4, 10].map((n) => backoffDelay(n, 50, 300))).toEqual([50, 100, 200, 300, 300]);
  });
});
