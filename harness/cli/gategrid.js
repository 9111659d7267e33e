#!/usr/bin/env node
// The `gategrid` command: its compiled copy in an installed package (Node strips no TypeScript
// under node_modules; `npm pack` builds dist/), its TypeScript sources in a checkout.
import { existsSync } from 'node:fs';

if (Number(process.versions.node.split('.')[0]) < 22) {
  process.stderr.write(`gategrid needs Node >= 22 (this is ${process.version}); run it through npm (npx gategrid, npm run …), which uses the node gategrid depends on, from node_modules/.bin\n`);
  process.exit(2);
}
const compiled = new URL('../../dist/harness/cli/main.js', import.meta.url);
const installed = import.meta.url.includes('/node_modules/') && existsSync(compiled);
await import(installed ? compiled.href : new URL('./main.ts', import.meta.url).href);
