/** The `z` namespace of zod-lambda.mjs: zod's classic API, minus the locales. */
export * from '../../node_modules/zod/v4/classic/external.js';
export * as core from './zod-lambda-core.mjs';
export { locales } from './zod-lambda-core.mjs';
