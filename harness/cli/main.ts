#!/usr/bin/env node
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  process.stderr.write(`gategrid needs Node >= 22 (this is ${process.version}); run it through npm (npx gategrid, npm run …), which uses the project's own node from node_modules/.bin\n`);
  process.exit(2);
}
const { runCli } = await import('./run-cli.ts');
process.exitCode = await runCli(process.argv.slice(2));
