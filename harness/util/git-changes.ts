import { execa } from 'execa';
import { UsageError } from '../errors.ts';

/**
 * The files a change touches, as a CI job on a patch sees them: everything that differs between
 * the merge base of `base` and the working tree (committed, staged or not), and untracked files.
 * Paths relative to the repository's top, with forward slashes.
 */
export async function changedFiles(base: string, cwd: string, flag = '--base'): Promise<string[]> {
  const git = (args: string[]) => execa('git', args, { cwd, reject: false, timeout: 30_000 });
  const ref = await git(['rev-parse', '--verify', '--quiet', `${base}^{commit}`]);
  if (ref.exitCode !== 0) throw new UsageError(`${flag} ${base}: not a commit of the repository at ${cwd} (a branch, tag or commit, such as origin/main or HEAD~1)`);
  const diff = await git(['diff', '--name-only', '--no-renames', '--merge-base', base]);
  if (diff.exitCode !== 0) throw new UsageError(`${flag} ${base}: git diff failed: ${String(diff.stderr).trim()}`);
  const untracked = await git(['ls-files', '--others', '--exclude-standard']);
  return [...new Set([...String(diff.stdout).split('\n'), ...String(untracked.stdout).split('\n')].map((l) => l.trim()).filter(Boolean))].sort();
}

/** The commit checked out at `cwd` (12 hex digits), or none outside a git checkout. */
export async function headCommit(cwd: string): Promise<string | undefined> {
  const r = await execa('git', ['rev-parse', '--short=12', 'HEAD'], { cwd, reject: false, timeout: 30_000 });
  return r.exitCode === 0 ? String(r.stdout).trim() : undefined;
}
