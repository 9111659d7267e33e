/** A TCP probe: a connection to a loopback address (a port a cell publishes on 127.0.0.1) is accepted. */
import net from 'node:net';
import { isLoopbackUrl } from '../../util/http-client.ts';
import { InfraError } from '../../errors.ts';
import { CheckFailed } from '../check.ts';
import type { ProbeRunner } from './probe.ts';

export const tcpProbe: ProbeRunner = async (probe, _ctx, signal) => {
  const { host, port } = probe.tcp!;
  // The network rule: a cell is reached through its ports on 127.0.0.1, never another address.
  if (!isLoopbackUrl(`tcp://${host.includes(':') ? `[${host}]` : host}:${port}`)) {
    throw new InfraError(`refused to connect to ${host}:${port}: gategrid reaches a cell only through ports published on 127.0.0.1`);
  }
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const socket = net.connect({ host, port, signal });
    socket.once('connect', () => { socket.destroy(); resolve(); });
    socket.once('error', (error: NodeJS.ErrnoException) => reject(new CheckFailed(`${host}:${port}: no connection (${error.code ?? error.message})`)));
  });
  return { message: `${host}:${port} accepted a connection in ${Date.now() - started} ms` };
};
