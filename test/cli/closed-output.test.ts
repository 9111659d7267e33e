import test from 'ava';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { repoRoot } from '../../harness/config/paths.ts';
import { tempDir } from '../temp-dir.ts';

// A command whose reader goes away (`gategrid down RUN | head -1`) must still finish its work.
// The child writes a line, waits until the reader has closed the pipe, writes again (EPIPE), then
// records that it reached its end.
async function writerAfterClose(guarded: boolean): Promise<{ exitCode: number | undefined; finished: boolean }> {
  const dir = await tempDir('gg-closed-output-');
  const done = path.join(dir, 'done');
  const module = path.join(repoRoot, 'harness/cli/closed-output.ts');
  const script = `
    ${guarded ? `const { keepGoingWhenOutputCloses } = await import(${JSON.stringify(module)}); keepGoingWhenOutputCloses();` : ''}
    const { writeFileSync } = await import('node:fs');
    process.stdout.write('first line\\n');
    await new Promise((r) => setTimeout(r, 300));
    for (let i = 0; i < 50; i++) process.stdout.write('more output ' + i + '\\n');
    await new Promise((r) => setTimeout(r, 300));
    console.log('and through console');
    writeFileSync(${JSON.stringify(done)}, 'finished');`;
  const child = execa(process.execPath, ['--input-type=module', '-e', script], { reject: false, stdout: 'pipe', buffer: false });
  // The reader takes the first chunk and closes its end, as head -1 does.
  await new Promise<void>((resolve) => child.stdout!.once('data', () => { child.stdout!.destroy(); resolve(); }));
  const result = await child;
  const finished = (await readFile(done, 'utf8').catch(() => '')) === 'finished';
  return { exitCode: result.exitCode, finished };
}

test('a closed stdout stops the output, not the command: it runs to its end and exits 0', async (t) => {
  t.deepEqual(await writerAfterClose(true), { exitCode: 0, finished: true });
});

test('without the guard the same child dies of EPIPE before its end (what the guard prevents)', async (t) => {
  const unguarded = await writerAfterClose(false);
  t.false(unguarded.finished);
  t.not(unguarded.exitCode, 0);
});
