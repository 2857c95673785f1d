// Topic patterns, with NATS subject semantics: `*` matches one dot-separated token, a final `>` matches the rest.
import { FlauraError } from '../errors.ts';

const TOKEN = /^[A-Za-z0-9_-]+$/;

/** Throws a clear error unless `pattern` is `a.b.c` tokens, `*` tokens, and at most a final `>`. */
export function validateTopicPattern(pattern: string): void {
  const tokens = pattern.split('.');
  tokens.forEach((token, i) => {
    const ok = TOKEN.test(token) || token === '*' || (token === '>' && i === tokens.length - 1);
    if (!ok) throw new FlauraError('EVENT_TOPIC_INVALID', 400, `Invalid topic pattern '${pattern}': use dot-separated names, '*' for one part, '>' last for the rest`);
  });
}

/** Throws unless `topic` is a concrete topic (no wildcards). */
export function validateTopic(topic: string): void {
  if (!topic.split('.').every((t) => TOKEN.test(t))) {
    throw new FlauraError('EVENT_TOPIC_INVALID', 400, `Invalid event topic '${topic}': use dot-separated names of letters, digits, '_' or '-'`);
  }
}

/** A PostgreSQL (and JS) regular expression matching any of `patterns`, anchored at both ends. */
export function topicPatternsRegex(patterns: readonly string[]): string {
  const alternatives = patterns.map((pattern) => {
    validateTopicPattern(pattern);
    return pattern
      .split('.')
      .map((token) => (token === '*' ? '[^.]+' : token === '>' ? '.+' : token.replace(/-/g, '\\-')))
      .join('\\.');
  });
  return `^(${alternatives.join('|')})$`;
}

/** Compiles `patterns` once into a matcher of concrete topics. */
export function compileTopicPatterns(patterns: readonly string[]): (topic: string) => boolean {
  const regex = new RegExp(topicPatternsRegex(patterns));
  return (topic) => regex.test(topic);
}

/** True when `topic` matches one of `patterns` (compiles each call; use compileTopicPatterns in loops). */
export function topicMatches(patterns: readonly string[], topic: string): boolean {
  return compileTopicPatterns(patterns)(topic);
}
