import { createWriteStream, type WriteStream } from 'node:fs';

/**
 * A file a stream of output is written into (a container's log, an image build's): a write that
 * fails (a full disk, a folder removed) is said once on stderr, naming the file, and never crashes
 * the run, which then still tears its cells down and writes its results.
 */
export function openLogFile(file: string, flags: 'w' | 'a' = 'w', say: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): WriteStream {
  const out = createWriteStream(file, { flags });
  let said = false;
  out.on('error', (error) => {
    if (said) return;
    said = true;
    say(`gategrid: cannot write ${file}: ${error.message} (the rest of this output is lost; the run goes on)`);
  });
  return out;
}
