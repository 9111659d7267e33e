import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The repository root, found from this file, so the CLI works from any working directory. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const scenariosDir = path.join(repoRoot, 'scenarios');
export const defaultOutDir = 'gategrid-out';
