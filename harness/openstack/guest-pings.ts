import { CheckFailed } from '../checks/check.ts';
import { summarize, type DowntimeReport, type ProbeSample } from '../results/downtime.ts';
import type { WorkloadHooks } from './workload-hooks.ts';

/**
 * A guest's floating IP pinged every 200 ms from the probe while an upgrade runs (Kolla's upgrade
 * job checks its guest still answers; this measures how long it did not): iputils' ping runs in the
 * background in the probe's container, bounded by its own deadline, each line timestamped (-D)
 * and each missed answer said (-O). Stopping it reads the log back as a downtime report: every
 * echo request a sample, an outage from the first unanswered one to the next answered.
 */
export interface PingWatch {
  readonly address: string;
  stop(): Promise<DowntimeReport>;
}

const INTERVAL_S = 0.2;

export async function watchPings(h: WorkloadHooks, address: string, tag: string, maxSeconds = 3600): Promise<PingWatch> {
  const file = `/tmp/gategrid-ping-${tag.replace(/[^a-z0-9-]/gi, '')}`;
  const start = await h.probe(['sh', '-c', 'ping -D -O -n -i "$1" -w "$2" "$3" > "$4.log" 2>&1 < /dev/null & echo $! > "$4.pid"', 'watch', String(INTERVAL_S), String(maxSeconds), address, file], 10_000);
  if (start.exitCode !== 0) throw new CheckFailed(`could not start pinging ${address} from the probe: ${start.output.trim().slice(-300)}`);
  return {
    address,
    async stop() {
      // The watch's end, on the clock ping's -D timestamps use (the probe shares this host's kernel).
      const stoppedAtS = Date.now() / 1000;
      // SIGINT makes ping print its summary; the log is read once it has.
      const out = await h.probe(['sh', '-c', 'kill -INT "$(cat "$1.pid")" 2>/dev/null; for i in 1 2 3 4 5 6 7 8 9 10; do grep -q "packets transmitted" "$1.log" && break; sleep 0.2; done; cat "$1.log"; rm -f "$1.log" "$1.pid"', 'stop', file], 20_000);
      if (out.exitCode !== 0) throw new CheckFailed(`could not read the pings of ${address} from the probe: ${out.output.trim().slice(-300)}`);
      return parsePingLog(out.output, address, stoppedAtS);
    },
  };
}

const LINE = /^\[(\d+\.\d+)\] (.*)$/;
/** A reply later than this is no answer: the guest did not answer in time (a queue flushed after an outage answers late). */
export const LATE_MS = 1000;

/**
 * iputils ping's -D -O output → a downtime report: one sample per echo request in sequence order,
 * at the time it was sent (a reply's time less its round trip; a missed one's notice less the
 * interval), answered when its reply came within LATE_MS.
 *
 * `untilS` is when the watch was stopped. A ping whose log ends well before it stopped pinging on
 * its own (measured: with Open vSwitch replaced under it, the probe's ping went silent 112 s before
 * the upgrade ended, and the report said 3.9 s of downtime): nothing is known of the guest after
 * that, so the rest of the watch counts as down, said with ping's last words, never as answered.
 */
export function parsePingLog(text: string, address: string, untilS?: number): DowntimeReport {
  const bySeq = new Map<number, { sentS: number; ok: boolean; detail: string }>();
  // What ping said between two numbered lines (a send that failed prints no sequence number).
  const saidBefore = new Map<number, string>();
  let said: string | undefined;
  let firstS: number | undefined;
  let lastS: number | undefined;
  for (const raw of text.split('\n')) {
    const m = LINE.exec(raw.trim());
    const seq = m ? /icmp_seq=(\d+)/.exec(m[2]!) : null;
    if (!m || !seq) {
      if (/^ping: /.test(raw.trim())) said ??= raw.trim().slice(0, 120);
      continue;
    }
    const atS = Number(m[1]);
    const body = m[2]!;
    const n = Number(seq[1]);
    if (said !== undefined && !saidBefore.has(n)) saidBefore.set(n, said);
    said = undefined;
    const rtt = /^\d+ bytes from .* time=(\d+(?:\.\d+)?) ms/.exec(body);
    const sentS = rtt ? atS - Number(rtt[1]) / 1000 : atS - INTERVAL_S;
    firstS = Math.min(firstS ?? sentS, sentS);
    lastS = Math.max(lastS ?? atS, atS);
    const ok = rtt !== null && Number(rtt[1]) <= LATE_MS;
    const detail = rtt ? (ok ? 'answered' : `answered ${Math.round(Number(rtt[1]))} ms late`) : body.replace(/^no answer yet for icmp_seq=\d+$/, 'no answer');
    const known = bySeq.get(n);
    bySeq.set(n, known ? { sentS: Math.min(known.sentS, sentS), ok: known.ok || ok, detail: rtt ? detail : known.detail } : { sentS, ok, detail });
  }
  if (firstS === undefined || lastS === undefined) {
    return { url: `ping ${address}`, requests: 0, failed: 0, downtimeMs: 0, outages: [], observedMs: 0 };
  }
  // A request ping numbered but never printed (its send failed: "sendmsg: Network is unreachable"
  // while the switch under the probe was replaced) is a request without an answer, never skipped.
  const seqs = [...bySeq.keys()].sort((a, b) => a - b);
  for (let i = 1; i < seqs.length; i++) {
    const [a, b] = [seqs[i - 1]!, seqs[i]!];
    for (let n = a + 1; n < b; n++) {
      bySeq.set(n, { sentS: bySeq.get(a)!.sentS + (n - a) * INTERVAL_S, ok: false, detail: `not sent or not printed${saidBefore.has(b) ? ` (${saidBefore.get(b)})` : ''}` });
    }
  }
  const t0 = firstS;
  const samples: ProbeSample[] = [...bySeq.entries()].sort(([a], [b]) => a - b)
    .map(([, v]) => ({ at: Math.max(0, Math.round((v.sentS - t0) * 1000)), ok: v.ok, detail: v.detail }));
  let endS = lastS;
  if (untilS !== undefined && untilS - lastS > INTERVAL_S + LATE_MS / 1000) {
    // The unobserved rest of the watch: one failing sample where ping fell silent, down until the stop.
    const words = text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !/icmp_seq=/.test(l)).slice(-2).join('; ').slice(0, 200);
    const detail = `the ping ended ${(untilS - lastS).toFixed(1)} s before the watch did${words ? ` (its last words: ${words})` : ''}: not observed, counted as down`;
    if (samples.length === 0 || samples.at(-1)!.ok) samples.push({ at: Math.round((lastS + INTERVAL_S - t0) * 1000), ok: false, detail });
    else samples[samples.length - 1] = { ...samples.at(-1)!, detail: `${samples.at(-1)!.detail}; then ${detail}` };
    endS = untilS;
  }
  return { ...summarize(`ping ${address}`, samples, Math.round((endS - t0) * 1000)), startedAt: new Date(t0 * 1000).toISOString() };
}
