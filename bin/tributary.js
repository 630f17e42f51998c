#!/usr/bin/env node
// Runs the TypeScript CLI straight from source, so `npx tributary` works right after `npm ci`
// with no build step: tsx registers its ESM loader, then the CLI module is imported.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

register();
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
await import(pathToFileURL(join(root, 'src', 'cli', 'main.ts')).href);
