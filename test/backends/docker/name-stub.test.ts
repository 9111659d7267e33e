import test from 'ava';
import { nxdomain } from '../../../harness/backends/docker/name-stub.ts';

test('the name stub answers any query NXDOMAIN with its id and question, and ignores what is not a query', (t) => {
  // A query for keystone A with an EDNS OPT record (as glibc sends): id 0xbeef, RD.
  const question = Buffer.concat([Buffer.from([8]), Buffer.from('keystone'), Buffer.from([0, 0, 1, 0, 1])]);
  const opt = Buffer.from([0, 0, 41, 4, 208, 0, 0, 0, 0, 0, 0]);
  const query = Buffer.concat([Buffer.from([0xbe, 0xef, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 1]), question, opt]);
  const answer = nxdomain(query)!;
  t.is(answer.readUInt16BE(0), 0xbeef);
  t.is(answer.readUInt16BE(2) & 0x8000, 0x8000, 'a response');
  t.is(answer.readUInt16BE(2) & 0x000f, 3, 'NXDOMAIN');
  t.is(answer.readUInt16BE(2) & 0x0100, 0x0100, 'RD echoed');
  t.deepEqual([answer.readUInt16BE(4), answer.readUInt16BE(6), answer.readUInt16BE(8), answer.readUInt16BE(10)], [1, 0, 0, 0]);
  t.deepEqual(answer.subarray(12), question, 'the question echoed, the OPT record dropped');
  t.is(nxdomain(Buffer.from([0xbe, 0xef, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0])), undefined, 'a response is not answered');
  t.is(nxdomain(Buffer.from([1, 2, 3])), undefined, 'garbage is dropped');
  t.is(nxdomain(Buffer.concat([Buffer.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]), Buffer.from([200, 1, 2])])), undefined, 'a bad label is dropped');
});
