// Builds the dashboard web page (Svelte 5) into apps/dashboard/dist; the gateway serves that folder at `/`.
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  publicDir: resolve(root, 'public'),
  plugins: [svelte({ configFile: false, compilerOptions: { runes: true } })],
  build: {
    outDir: resolve(root, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
  server: {
    // `npx vite --config apps/dashboard/vite.config.ts` during development: the API comes from a running gateway.
    proxy: { '/api': { target: process.env.GATEWAY_URL ?? 'http://127.0.0.1:3000', changeOrigin: true } },
  },
});
