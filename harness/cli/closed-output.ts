/**
 * A reader that stops reading (`gategrid down RUN | head -1`, a pager quit early) closes the pipe
 * under gategrid's stdout or stderr. Node reports that as an 'error' event (EPIPE) on the stream,
 * and an unhandled one kills the process: a run would stop mid-deploy, a `down` mid-removal, and
 * leave the very things they were removing. Here, a closed output only stops the output: the
 * command goes on to its end (results written, everything torn down) and keeps its exit code.
 */
const CLOSED = new Set(['EPIPE', 'ERR_STREAM_DESTROYED']);

export function keepGoingWhenOutputCloses(streams: NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (CLOSED.has(error.code ?? '')) return;
      throw error;
    });
  }
}
