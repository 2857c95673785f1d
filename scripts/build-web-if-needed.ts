// `npm start` runs this first: builds the web app (web/dist) when it is missing or older than its sources, so a
// fresh clone opens onto the sign-in page; an up-to-date build is left alone (start stays fast).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

const webDir = resolve(fileURLToPath(new URL('../web', import.meta.url)));
const built = join(webDir, 'dist', 'index.html');

function newest(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return readdirSync(path).reduce((m, name) => Math.max(m, newest(join(path, name))), st.mtimeMs);
}

/** True when web/dist is missing or a source file (src/, index.html, vite config) is newer than it. */
export function webBuildIsStale(): boolean {
  if (!existsSync(built)) return true;
  const builtAt = statSync(built).mtimeMs;
  return [join(webDir, 'src'), join(webDir, 'index.html'), join(webDir, 'vite.config.ts')].some((p) => existsSync(p) && newest(p) > builtAt);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (!webBuildIsStale()) {
    console.log('Web app is up to date (web/dist).');
  } else {
    console.log('Building the web app (web/dist)…');
    const r = spawnSync(process.execPath, [join(webDir, '..', 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', join(webDir, 'vite.config.ts'), '--logLevel', 'warn'], { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
    if (r.status !== 0) {
      console.error('The web app did not build; the APIs will still start. Run `npm run build:web` to see why.');
    }
  }
}
