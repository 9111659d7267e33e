import dgram from 'node:dgram';
import { InfraError, errorMessage } from '../../errors.ts';

/**
 * The resolver a closed cell's names end at: Docker's embedded DNS answers the cell's own names and
 * forwards every other one to the container's configured servers; with the way out closed, a
 * forwarded query is refused and Docker never answers the container (measured: 20 s per unknown
 * name, libc's retries, instead of 0.03 s; haproxy's readiness timed out on it). This stub, bound
 * on the cell network's gateway (the host's end of the bridge, an address of the run's own
 * network), answers every query at once: NXDOMAIN, the name does not exist for the cell. It lives
 * in the gategrid process, as the cell's environment does; a kept cell outlives it (its unknown
 * names are then slow again).
 */
export interface NameStub {
  readonly address: string;
  close(): Promise<void>;
}

export async function startNameStub(address: string, port = 53): Promise<NameStub> {
  const socket = dgram.createSocket({ type: 'udp4', reuseAddr: false });
  socket.on('message', (query, peer) => {
    const answer = nxdomain(query);
    if (answer) socket.send(answer, peer.port, peer.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', (error) => reject(new InfraError(`cannot answer the cell's DNS on ${address}:${port} (${errorMessage(error)}): set network.egress: open in gategrid.config.yaml, or free that port`, { cause: error })));
    socket.bind(port, address, () => resolve());
  });
  // Later errors (a send to a container that went away) are not the run's concern.
  socket.on('error', () => undefined);
  return {
    address,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/**
 * The NXDOMAIN answer to a DNS query: its id, its question echoed, no records; undefined for what
 * is not a standard query with one question (ignored, as a resolver drops garbage).
 */
export function nxdomain(query: Buffer): Buffer | undefined {
  if (query.length < 12 || query.length > 512) return undefined;
  const flags = query.readUInt16BE(2);
  const isResponse = (flags & 0x8000) !== 0;
  const opcode = (flags >> 11) & 0xf;
  if (isResponse || opcode !== 0 || query.readUInt16BE(4) !== 1) return undefined;
  // The question: labels up to the root (each at most 63 bytes, no compression in a query), then type and class.
  let at = 12;
  for (let labels = 0; labels < 128; labels++) {
    if (at >= query.length) return undefined;
    const len = query[at]!;
    if (len === 0) { at += 1; break; }
    if (len > 63) return undefined;
    at += 1 + len;
  }
  if (at + 4 > query.length) return undefined;
  const end = at + 4;
  const answer = Buffer.alloc(end);
  query.copy(answer, 0, 0, end);
  // QR, the query's opcode and RD, RA, RCODE 3 (NXDOMAIN); one question, nothing else.
  answer.writeUInt16BE(0x8000 | (flags & 0x7900) | 0x0080 | 3, 2);
  answer.writeUInt16BE(1, 4);
  answer.writeUInt16BE(0, 6);
  answer.writeUInt16BE(0, 8);
  answer.writeUInt16BE(0, 10);
  return answer;
}
