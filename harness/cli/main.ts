#!/usr/bin/env node
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  process.stderr.write(`gategrid needs Node >= 22 (this is ${process.version}); run it through npm (npx gategrid, npm run …), which uses the project's own node from node_modules/.bin\n`);
  process.exit(2);
}
// V8's code cache for this project's modules and its dependencies, kept between runs in the
// system's temporary folder (node-compile-cache): a third less CPU to start. It holds compiled
// code only; NODE_COMPILE_CACHE=DIR moves it, NODE_DISABLE_COMPILE_CACHE=1 turns it off.
(await import('node:module')).enableCompileCache?.();
const { keepGoingWhenOutputCloses } = await import('./closed-output.ts');
keepGoingWhenOutputCloses();
const { runCli } = await import('./run-cli.ts');
const code = await runCli(process.argv.slice(2));
process.exitCode = code;
// Everything is written by now; a handle something left open must not keep a CI job waiting.
setTimeout(() => {
  // What is still open, by kind (Timeout, TCPSocketWrap, ChildProcess…): the report's first clue.
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  const open = [...counts].map(([kind, n]) => (n > 1 ? `${kind} ×${n}` : kind));
  process.stderr.write(`gategrid: exiting although a handle is still open (a bug worth reporting; open: ${open.join(', ') || 'none named'})\n`);
  process.exit(code);
}, 10_000).unref();
