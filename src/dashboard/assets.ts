import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Hono } from 'hono';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));

/** A file inside an installed package's `dist/` (both packages export only their entry points). */
const distFile = (pkg: string, file: string) => join(dirname(require.resolve(pkg)), file);

const assets: Record<string, { path: string; type: string }> = {
  'dashboard.css': { path: join(here, 'assets', 'dashboard.css'), type: 'text/css; charset=utf-8' },
  'dashboard.js': { path: join(here, 'assets', 'dashboard.js'), type: 'text/javascript; charset=utf-8' },
  'favicon.svg': { path: join(here, 'assets', 'favicon.svg'), type: 'image/svg+xml' },
  'htmx.min.js': { path: distFile('htmx.org', 'htmx.min.js'), type: 'text/javascript; charset=utf-8' },
  'chart.umd.min.js': {
    path: distFile('chart.js', 'chart.umd.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
};

/**
 * Serves the dashboard's scripts and styles, every one from this server: the page needs no
 * network beyond it. Read once, at the first request of each.
 */
export function registerAssets(app: Hono): void {
  const cache = new Map<string, Buffer>();
  app.get('/ui/assets/:name', (c) => {
    const name = c.req.param('name');
    const asset = Object.hasOwn(assets, name) ? assets[name] : undefined;
    if (!asset) return c.text(`no asset ${name}`, 404);
    let body = cache.get(name);
    if (!body) {
      body = readFileSync(asset.path);
      cache.set(name, body);
    }
    return c.body(new Uint8Array(body), 200, {
      'content-type': asset.type,
      'cache-control': 'no-cache',
    });
  });
}
