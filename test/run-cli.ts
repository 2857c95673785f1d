// Runs the real `flaura` command line in-process for tests: console output captured as lines, errors thrown instead of
// exiting the test process.
import type { Command } from 'commander';
import { vi } from 'vitest';
import { buildProgram } from '../src/cli/program.ts';

/** Parses `flaura <args>` with every (sub)command set not to exit; returns what it logged, line by line. */
export async function runCli(args: string[]): Promise<string[]> {
  const lines: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((l: string) => void lines.push(l));
  const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    const program = buildProgram();
    const all = (c: Command): Command[] => [c, ...c.commands.flatMap(all)];
    for (const c of all(program)) c.exitOverride().configureOutput({ writeErr: () => undefined });
    await program.parseAsync(['node', 'flaura', ...args]);
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
  return lines;
}
