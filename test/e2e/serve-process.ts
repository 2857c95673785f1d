// `flaura serve` as a real child process, and `flaura token` against its data directory, for end-to-end tests.
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';

export const bin = join(import.meta.dirname, '..', '..', 'bin', 'flaura.js');

export interface ServeProcess {
  child: ChildProcessWithoutNullStreams;
  url: Promise<string>;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts `flaura serve --port 0 --data DIR`; `url` resolves with the root URL once it prints its FHIR base. */
export function startServe(dataDir: string, env: NodeJS.ProcessEnv = {}): ServeProcess {
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--data', dataDir], { env: { ...process.env, FLAURA_LOG_LEVEL: 'warn', FLAURA_SHUTDOWN_TIMEOUT_MS: '30000', ...env } });
  let output = '';
  const url = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /FHIR base: (http:\/\/[^\s]+)\/fhir/.exec(output);
      if (match) resolve(match[1]!);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${output}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, url, output: () => output, exited };
}

/** `flaura token` against the running server's data directory (what an operator's script does). */
export function operatorToken(dataDir: string, ...args: string[]): string {
  return execFileSync(process.execPath, [bin, 'token', '--data', dataDir, ...args], { encoding: 'utf8' }).trim();
}
