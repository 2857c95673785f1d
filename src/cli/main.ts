// Entry point of the `flaura` command: runs the program and turns errors into a message and an exit code.
import { CommanderError } from 'commander';
import { FlauraError } from '../errors.ts';
import { buildProgram } from './program.ts';

try {
  await buildProgram().parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  if (err instanceof FlauraError) {
    console.error(`flaura: ${err.message}`);
    process.exit(2);
  }
  console.error(err);
  process.exit(1);
}
