import { defineConfig } from 'vite';

/**
 * The console: a static Preact app served by the query app at /console/ (ADR 0080).
 * `npx vite build -c apps/console/vite.config.ts` writes dist/console (hashed assets in
 * dist/console/assets). `npx vite -c apps/console/vite.config.ts` serves it for development
 * with the APIs proxied to a running stack (CONSOLE_DEV_QUERY / CONSOLE_DEV_EXPORT).
 */
const root = import.meta.dirname;
const devQuery = process.env.CONSOLE_DEV_QUERY ?? 'http://127.0.0.1:4102';
const devExport = process.env.CONSOLE_DEV_EXPORT ?? 'http://127.0.0.1:4103';

const proxy = {
  '/v1/exports': devExport,
  '/v1': devQuery,
  '/console/config.json': devQuery,
};

export default defineConfig({
  root,
  base: '/console/',
  publicDir: `${root}/public`,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: `${root}/../../dist/console`,
    emptyOutDir: true,
    assetsDir: 'assets',
    // No inline scripts or data: modules under CSP script-src 'self'.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: 'es2022',
  },
  server: { port: Number(process.env.CONSOLE_DEV_PORT ?? 5173), proxy },
  // `vite preview` serves the production build under the CSP the query app sends.
  preview: {
    port: Number(process.env.CONSOLE_PREVIEW_PORT ?? 4173),
    proxy,
    headers: {
      'Content-Security-Policy':
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'self'",
    },
  },
});
