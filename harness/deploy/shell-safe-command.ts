import { ConfigError } from '../errors.ts';
import { placeholders, renderTemplate, type Resolver } from '../config/template.ts';

/**
 * Renders a command's arguments without ever splicing a value into shell text. An argument that is
 * a shell script (`sh -c SCRIPT`, `bash -ec SCRIPT`) has each `{{ x }}` replaced by `${GG_X}`,
 * and the value travels in the environment (a shell expands it as data, never as code), so a var
 * like `x"; touch /tmp/pwned` stays a string. Other arguments are argv: rendered as they are.
 * Placeholders in a script must stand inside double quotes: that is checked, with the fix.
 */
export interface RenderedCommand {
  readonly command: string[];
  readonly env: Record<string, string>;
}

const SHELLS = /(^|\/)(sh|bash|dash)$/;

export function envName(expr: string): string {
  return `GG_${expr.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`;
}

export function renderCommand(args: readonly string[], resolve: Resolver, source: string, field: string): RenderedCommand {
  refuseSecrets(args, source, field);
  const env: Record<string, string> = {};
  const command = args.map((arg, i) => {
    const isScript = i >= 2 && SHELLS.test(args[0]!) && /^-[a-z]*c[a-z]*$/.test(args[i - 1]!);
    if (!isScript) return renderTemplate(arg, resolve, `${source} (${field}[${i}])`);
    requireDoubleQuoted(arg, `${source} (${field}[${i}])`);
    for (const expr of new Set(placeholders(arg))) env[envName(expr)] = renderTemplate(`{{ ${expr} }}`, resolve, `${source} (${field}[${i}])`);
    return arg.replace(/\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g, (_m, expr: string) => `\${${envName(expr)}}`);
  });
  return { command, env };
}

/**
 * No secret in a command: its arguments (and a shell's expansion of them into its children's) are
 * visible to every user of the host in `ps`, and on Kubernetes they sit in the pod spec and in the
 * exec request an apiserver's audit log records. A job gives it in its `env:` instead.
 */
export function refuseSecrets(args: readonly string[], source: string, field: string): void {
  for (const [i, arg] of args.entries()) {
    const secret = placeholders(arg).find((expr) => expr.startsWith('secrets.'));
    if (secret === undefined) continue;
    throw new ConfigError(source, `${field}[${i}]`, `{{ ${secret} }} in a command would put the secret in a process's arguments (visible in ps, and in a Kubernetes pod spec or exec request): give it in the job's env (env: { NAME: "{{ ${secret} }}" }) and read $NAME`);
  }
}

/** Every placeholder of a shell script inside double quotes (not single: it would not expand; not bare: it would split). */
function requireDoubleQuoted(script: string, source: string): void {
  let state: 'none' | 'single' | 'double' = 'none';
  for (let i = 0; i < script.length; i++) {
    const c = script[i]!;
    if (script.startsWith('{{', i)) {
      if (state !== 'double') {
        const expr = /^\{\{\s*([A-Za-z0-9_.-]+)/.exec(script.slice(i))?.[1] ?? '?';
        throw new ConfigError(source, expr, `a placeholder in shell text must stand inside double quotes ("{{ ${expr} }}"): its value is passed in the environment, and unquoted it would be split into words`, { line: script.slice(0, i).split('\n').length });
      }
      i = script.indexOf('}}', i) + 1;
      continue;
    }
    if (state !== 'single' && c === '\\') { i++; continue; }
    if (state === 'none' && c === "'") state = 'single';
    else if (state === 'single' && c === "'") state = 'none';
    else if (state === 'none' && c === '"') state = 'double';
    else if (state === 'double' && c === '"') state = 'none';
  }
}
