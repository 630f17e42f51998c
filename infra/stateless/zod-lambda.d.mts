// Types of zod-lambda.mjs: zod's own (its `locales` namespaces are empty there).
export * from 'zod';
export { z as default } from 'zod';
