import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../errors.ts';
import { formatFieldPath } from '../util/field-path.ts';

/** A parsed YAML file that can say on which line a field path lives. */
export interface YamlFile {
  readonly file: string;
  readonly data: unknown;
  lineOf(path: readonly PropertyKey[]): number | undefined;
}

export async function readYamlFile(file: string): Promise<YamlFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new ConfigError(file, '', 'cannot be read: does the file exist?', { cause });
  }
  return parseYamlText(file, text);
}

export function parseYamlText(file: string, text: string): YamlFile {
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter, prettyErrors: false });
  const first = doc.errors[0];
  if (first !== undefined) {
    const line = lineCounter.linePos(first.pos[0]).line;
    throw new ConfigError(file, '', `is not valid YAML: ${first.message.split('\n')[0]}`, { line });
  }
  let data: unknown;
  try {
    // The yaml library refuses excessive aliases (a "billion laughs" file) here.
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (cause) {
    throw new ConfigError(file, '', `cannot be read as data: ${(cause as Error).message.split('\n')[0]}`, { cause });
  }
  return {
    file,
    data,
    lineOf(path) {
      // Walk up the path until a node exists: a missing field is reported at its parent.
      for (let n = path.length; n >= 0; n--) {
        const node = doc.getIn(path.slice(0, n) as unknown[], true);
        if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
      }
      return undefined;
    },
  };
}

/** Validates a YAML file against a schema; the first problem becomes a ConfigError with file:line and field. */
export function validateYaml<S extends z.ZodType>(yaml: YamlFile, schema: S): z.output<S> {
  const result = schema.safeParse(yaml.data);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const problems = result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more problem(s))` : '';
  // An unknown key is best shown where it is written, not where its parent starts.
  const at = issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined ? [...issue.path, issue.keys[0]] : issue.path;
  throw new ConfigError(yaml.file, formatFieldPath(issue.path), `${describeIssue(issue)}${problems}`, {
    line: yaml.lineOf(at),
  });
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'unrecognized_keys':
      return `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}: remove them or check their spelling`;
    case 'invalid_type':
      return `expected ${issue.expected}${issue.message.includes('received') ? `, ${issue.message.slice(issue.message.indexOf('received'))}` : ''}`;
    default:
      return issue.message;
  }
}
