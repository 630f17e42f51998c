/**
 * What Lambda bundles get for `zod` (an esbuild alias, see bundling.ts): zod 4's classic API,
 * the same modules, without its locale namespaces (`z.locales`, `z.core.locales`).
 *
 * `import { z } from 'zod'` makes esbuild keep the whole `z` namespace object, and with it every
 * locale (~260 KB). Here `z` is a namespace of our own that re-exports zod's and shadows
 * `locales` (a module's own export wins over `export *`), so the locale modules are never
 * reached. English messages stay: zod's schemas register `en` themselves. The paths are zod's
 * files (its `exports` map does not publish them); test/infra/stateless-bundles.test.ts checks
 * that this module exports everything zod does, locales aside.
 */
export * from '../../node_modules/zod/v4/classic/external.js';
export * as z from './zod-lambda-namespace.mjs';
export * as default from './zod-lambda-namespace.mjs';
