/** An exec probe: a command in a service's container, judged by its exit code and an output regex. */
import { linearRegex } from '../../util/linear-regex.ts';
import { verify } from '../check.ts';
import type { ProbeRunner } from './probe.ts';

const tail = (text: string) => text.trim().split('\n').slice(-5).join(' | ').slice(-400);

export const execProbe: ProbeRunner = async (probe, ctx) => {
  const e = probe.exec!;
  const result = await ctx.env.exec(e.service, e.command, probe.timeoutMs);
  const shown = `${e.service}: ${e.command.join(' ')}`;
  verify(result.exitCode === e.exitCode, `${shown} exited ${result.exitCode}, expected ${e.exitCode}: ${tail(result.output)}`, { exitCode: result.exitCode });
  if (e.output !== undefined) verify(linearRegex(e.output, 'm').test(result.output), `${shown}: its output does not match /${e.output}/: ${tail(result.output)}`);
  return { message: `${shown}: exit ${result.exitCode}${e.output !== undefined ? `, output matches /${e.output}/` : ''}` };
};
