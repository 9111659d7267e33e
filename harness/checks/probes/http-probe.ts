/** An HTTP probe: a request to a loopback URL, judged by its status, a body regex and JSON fields by dotted path. */
import { http } from '../../util/http-client.ts';
import { linearRegex } from '../../util/linear-regex.ts';
import { CheckFailed, verify } from '../check.ts';
import type { ProbeRunner } from './probe.ts';

/** `items.0.name` in a parsed JSON body; undefined where the path leads nowhere. */
export function jsonField(body: unknown, dotted: string): unknown {
  let node = body;
  for (const key of dotted.split('.')) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

const shown = (text: string) => (text.length > 300 ? `${text.slice(0, 300)}…` : text);

export const httpProbe: ProbeRunner = async (probe, _ctx, signal) => {
  const h = probe.http!;
  const res = await http.request({
    url: h.url, method: h.method, headers: h.headers, signal, responseType: 'text', transformResponse: (x: unknown) => x,
    ...(h.body !== undefined ? { data: h.body } : {}),
  });
  const body = typeof res.data === 'string' ? res.data : String(res.data ?? '');
  verify(h.status.includes(res.status), `${h.method} ${h.url} answered ${res.status}, expected ${h.status.join(' or ')}: ${shown(body)}`, { status: res.status });
  if (h.matches !== undefined) verify(linearRegex(h.matches).test(body), `${h.method} ${h.url}: the body does not match /${h.matches}/: ${shown(body)}`);
  const fields = Object.entries(h.json);
  if (fields.length > 0) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw new CheckFailed(`${h.method} ${h.url}: the body is not JSON, so its fields ${fields.map(([k]) => k).join(', ')} cannot be read: ${shown(body)}`);
    }
    for (const [path, expected] of fields) {
      const actual = jsonField(parsed, path);
      verify(actual === expected, `${h.method} ${h.url}: field ${path} is ${JSON.stringify(actual) ?? 'absent'}, expected ${JSON.stringify(expected)}`);
    }
  }
  return { message: `${h.method} ${h.url}: ${res.status}${h.matches !== undefined ? `, body matches /${h.matches}/` : ''}${fields.length > 0 ? `, ${fields.length} JSON field(s) as expected` : ''}` };
};
