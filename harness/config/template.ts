import { ConfigError } from '../errors.ts';

/**
 * A deliberately small template language: `{{ a.b-c.9292 }}` looks a dotted path up through a
 * resolver. There is no logic in templates; an unknown name is an error naming the template and
 * the name, never an empty string.
 */
/** A value; undefined for an unknown name; `{ problem }` for a known root that refuses the name (an undeclared secret). */
export type Resolver = (path: readonly string[]) => string | undefined | { readonly problem: string };

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g;

export function renderTemplate(text: string, resolve: Resolver, source: string): string {
  return text.replace(PLACEHOLDER, (_match, expr: string, offset: number) => {
    const value = resolve(expr.split('.'));
    if (typeof value !== 'string') {
      const line = text.slice(0, offset).split('\n').length;
      throw new ConfigError(source, expr, value?.problem ?? 'unknown template variable: known roots are secrets, ports, hosts, vars, release, cell, run, backend', { line });
    }
    return value;
  });
}

/** Names the placeholders a text uses (for validation before anything starts). */
export function placeholders(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/**
 * Resolver over a plain nested object, with `secrets.*` answered by a generator for the declared
 * names only (a misspelt secret would otherwise get a fresh random password and fail the cell as if
 * the deployment were wrong).
 */
export function objectResolver(root: Record<string, unknown>, secret: (name: string) => string, declared?: ReadonlySet<string>): Resolver {
  return (path) => {
    if (path[0] === 'secrets' && path.length === 2) {
      if (declared && !declared.has(path[1]!)) {
        return { problem: `secret "${path[1]}" is not declared: add it to the recipe's secrets (declared: ${[...declared].join(', ') || 'none'}) or fix its name` };
      }
      return secret(path[1]!);
    }
    let node: unknown = root;
    for (const key of path) {
      if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined;
      node = (node as Record<string, unknown>)[key];
    }
    return typeof node === 'string' || typeof node === 'number' ? String(node) : undefined;
  };
}
