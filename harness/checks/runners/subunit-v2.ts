import { crc32 } from 'node:zlib';

/**
 * A subunit v2 reader, in TypeScript. Parsing here, rather than with subunit2junitxml inside the
 * Tempest container, keeps one parser for every Tempest release, lets unit tests run it on recorded
 * streams, and makes an interrupted stream explicit (the parser says where and why it stopped)
 * instead of yielding a silently shorter report.
 *
 * PACKET := 0xB3 FLAGS(16) LENGTH(varint, whole packet) TIMESTAMP? TESTID? TAGS? MIME? FILE? ROUTE? CRC32
 */
export type SubunitStatus = 'exists' | 'inprogress' | 'success' | 'uxsuccess' | 'skip' | 'fail' | 'xfail' | undefined;

export interface SubunitEvent {
  readonly testId?: string;
  readonly status: SubunitStatus;
  readonly timestamp?: Date;
  readonly tags?: readonly string[];
  readonly mimeType?: string;
  readonly fileName?: string;
  readonly fileBytes?: Buffer;
  readonly routeCode?: string;
  readonly runnable: boolean;
  readonly eof: boolean;
}

export interface SubunitParse {
  readonly events: SubunitEvent[];
  /** Set when the stream ended inside a packet or held a corrupt one: the run was interrupted. */
  readonly error?: string;
  /** Bytes outside packets (a subunit stream mixed with plain output). */
  readonly nonSubunitBytes: number;
}

const SIGNATURE = 0xb3;
const FLAG_TEST_ID = 0x0800;
const FLAG_ROUTE_CODE = 0x0400;
const FLAG_TIMESTAMP = 0x0200;
const FLAG_RUNNABLE = 0x0100;
const FLAG_TAGS = 0x0080;
const FLAG_MIME_TYPE = 0x0020;
const FLAG_EOF = 0x0010;
const FLAG_FILE_CONTENT = 0x0040;
const STATUSES: SubunitStatus[] = [undefined, 'exists', 'inprogress', 'success', 'uxsuccess', 'skip', 'fail', 'xfail'];

class Short extends Error {}

export function parseSubunitV2(data: Buffer): SubunitParse {
  const events: SubunitEvent[] = [];
  let pos = 0;
  let nonSubunitBytes = 0;
  while (pos < data.length) {
    if (data[pos] !== SIGNATURE) {
      nonSubunitBytes++;
      pos++;
      continue;
    }
    try {
      const { event, length } = parsePacket(data, pos);
      events.push(event);
      pos += length;
    } catch (error) {
      const why = error instanceof Short ? 'the stream ends inside a packet' : (error as Error).message;
      return { events, error: `${why} at byte ${pos} of ${data.length}`, nonSubunitBytes };
    }
  }
  return { events, nonSubunitBytes };
}

function parsePacket(data: Buffer, start: number): { event: SubunitEvent; length: number } {
  need(data, start + 3);
  const flags = data.readUInt16BE(start + 1);
  if (flags >> 12 !== 2) throw new Error(`unsupported subunit version ${flags >> 12}`);
  const [length] = varint(data, start + 3);
  if (length < 8) throw new Error(`impossible packet length ${length}`);
  need(data, start + length);
  const stored = data.readUInt32BE(start + length - 4);
  const computed = crc32(data.subarray(start, start + length - 4)) >>> 0;
  if (stored !== computed) throw new Error(`bad checksum (stored 0x${stored.toString(16)}, computed 0x${computed.toString(16)})`);

  const body = data.subarray(0, start + length - 4);
  let pos = start + 3 + varint(data, start + 3)[1];
  const utf8 = (): string => {
    const [n, used] = varint(body, pos);
    pos += used;
    need(body, pos + n);
    const text = body.toString('utf8', pos, pos + n);
    pos += n;
    return text;
  };
  let timestamp: Date | undefined;
  if (flags & FLAG_TIMESTAMP) {
    need(body, pos + 4);
    const seconds = body.readUInt32BE(pos);
    const [nanos, used] = varint(body, pos + 4);
    pos += 4 + used;
    timestamp = new Date(seconds * 1000 + Math.floor(nanos / 1e6));
  }
  const testId = flags & FLAG_TEST_ID ? utf8() : undefined;
  let tags: string[] | undefined;
  if (flags & FLAG_TAGS) {
    const [count, used] = varint(body, pos);
    pos += used;
    tags = Array.from({ length: count }, utf8);
  }
  const mimeType = flags & FLAG_MIME_TYPE ? utf8() : undefined;
  let fileName: string | undefined;
  let fileBytes: Buffer | undefined;
  if (flags & FLAG_FILE_CONTENT) {
    fileName = utf8();
    const [n, used] = varint(body, pos);
    pos += used;
    need(body, pos + n);
    fileBytes = Buffer.from(body.subarray(pos, pos + n));
    pos += n;
  }
  const routeCode = flags & FLAG_ROUTE_CODE ? utf8() : undefined;
  return {
    length,
    event: {
      status: STATUSES[flags & 0x7], runnable: Boolean(flags & FLAG_RUNNABLE), eof: Boolean(flags & FLAG_EOF),
      ...(testId !== undefined ? { testId } : {}), ...(timestamp ? { timestamp } : {}), ...(tags ? { tags } : {}),
      ...(mimeType !== undefined ? { mimeType } : {}), ...(fileName !== undefined ? { fileName, fileBytes: fileBytes! } : {}),
      ...(routeCode !== undefined ? { routeCode } : {}),
    },
  };
}

/** Subunit's varint: the top two bits of the first byte say how many bytes follow (0-3). */
function varint(data: Buffer, pos: number): [value: number, used: number] {
  need(data, pos + 1);
  const first = data[pos]!;
  const extra = first >> 6;
  need(data, pos + 1 + extra);
  let value = first & 0x3f;
  for (let i = 1; i <= extra; i++) value = value * 256 + data[pos + i]!;
  return [value, 1 + extra];
}

function need(data: Buffer, end: number): void {
  if (end > data.length) throw new Short();
}

/** Writes subunit v2 packets: for recording fixtures and for tests of the reader. */
export function encodeSubunitV2(event: Omit<SubunitEvent, 'runnable' | 'eof'> & { runnable?: boolean; eof?: boolean }): Buffer {
  const parts: Buffer[] = [];
  let flags = 0x2000 | STATUSES.indexOf(event.status);
  const text = (s: string) => { const b = Buffer.from(s, 'utf8'); parts.push(encodeVarint(b.length), b); };
  if (event.timestamp) {
    flags |= FLAG_TIMESTAMP;
    const ms = event.timestamp.getTime();
    const seconds = Buffer.alloc(4);
    seconds.writeUInt32BE(Math.floor(ms / 1000));
    parts.push(seconds, encodeVarint((ms % 1000) * 1e6));
  }
  if (event.testId !== undefined) { flags |= FLAG_TEST_ID; text(event.testId); }
  if (event.tags?.length) { flags |= FLAG_TAGS; parts.push(encodeVarint(event.tags.length)); event.tags.forEach(text); }
  if (event.runnable ?? true) flags |= FLAG_RUNNABLE;
  if (event.mimeType) { flags |= FLAG_MIME_TYPE; text(event.mimeType); }
  if (event.fileName !== undefined) {
    flags |= FLAG_FILE_CONTENT;
    text(event.fileName);
    const bytes = event.fileBytes ?? Buffer.alloc(0);
    parts.push(encodeVarint(bytes.length), bytes);
  }
  if (event.eof) flags |= FLAG_EOF;
  if (event.routeCode !== undefined) { flags |= FLAG_ROUTE_CODE; text(event.routeCode); }
  const body = Buffer.concat(parts);
  const base = 1 + 2 + body.length + 4;
  const lengthBytes = base <= 62 ? 1 : base <= 16381 ? 2 : 3;
  const head = Buffer.alloc(3);
  head[0] = SIGNATURE;
  head.writeUInt16BE(flags, 1);
  const packet = Buffer.concat([head, encodeVarint(base + lengthBytes), body]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(packet) >>> 0);
  return Buffer.concat([packet, crc]);
}

function encodeVarint(value: number): Buffer {
  if (value < 0x40) return Buffer.from([value]);
  if (value < 0x4000) return Buffer.from([0x40 | (value >> 8), value & 0xff]);
  if (value < 0x400000) return Buffer.from([0x80 | (value >> 16), (value >> 8) & 0xff, value & 0xff]);
  if (value < 0x40000000) return Buffer.from([0xc0 | (value >>> 24), (value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff]);
  throw new Error(`value too large for a subunit varint: ${value}`);
}
