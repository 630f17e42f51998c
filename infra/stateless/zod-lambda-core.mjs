/** `z.core` of zod-lambda.mjs: zod's core, minus the locales. */
export * from '../../node_modules/zod/v4/core/index.js';

/** No locale is bundled for Lambda (see zod-lambda.mjs); zod's schemas set English themselves. */
export const locales = Object.freeze({});
