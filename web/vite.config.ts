// Vite build of the web app: web/ -> web/dist, served by `flaura serve` at `/` (src/web/plugin.ts).
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Route screens and the chart library are split off; the entry chunk stays small for slow connections.
    chunkSizeWarningLimit: 350,
    sourcemap: false,
  },
  server: {
    // `npx vite web` during development proxies the APIs to a running `flaura serve`.
    proxy: Object.fromEntries(
      ['/fhir', '/auth', '/.well-known', '/pgx', '/cds-services', '/wearables', '/security', '/healthz'].map((p) => [p, process.env.FLAURA_URL ?? 'http://127.0.0.1:8080']),
    ),
  },
});
