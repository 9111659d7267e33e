/**
 * A red cell's recipe diagnostics (the recipes' `diagnostics:`), run in each service's container
 * before the environment goes: the hypervisor's domains and qemu logs, a switch's ports, what a
 * service's own logs do not say. Each output is redacted and written beside the logs; one that
 * cannot run says why in its file. Bounded: each command by its timeout.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { errorMessage } from '../../errors.ts';
import type { Environment } from '../../backends/backend.ts';
import type { LoadedService } from '../../config/load-scenario.ts';

export async function collectDiagnostics(env: Environment, services: readonly LoadedService[], logDir: string, redact: (text: string) => string, label?: string): Promise<string[]> {
  const written: string[] = [];
  for (const service of services) {
    for (const d of service.spec.diagnostics) {
      // A check that fails takes them at that moment (`label`: which check and action), before its own cleanup.
      const file = path.join(logDir, `${service.spec.name}.${d.name}${label ? `.${label.replace(/[^a-z0-9-]+/gi, '-')}` : ''}.txt`);
      const text = await env.exec(service.spec.name, d.command, d.timeoutSeconds * 1000).then(
        (r) => `$ ${d.command.join(' ')}\n${r.output}${r.exitCode === 0 ? '' : `\n(exit code ${r.exitCode})`}\n`,
        (error: unknown) => `$ ${d.command.join(' ')}\ncould not run: ${errorMessage(error)}\n`,
      );
      await writeFile(file, redact(text), { mode: 0o600 });
      written.push(file);
    }
  }
  return written;
}
