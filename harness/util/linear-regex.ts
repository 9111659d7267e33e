import v8 from 'node:v8';

/**
 * Regular expressions from users' files (allow-lists, known-failure signatures) run by V8's
 * engine without backtracking (the `l` flag): a pattern's time is linear in the text it reads, so
 * a catastrophic one (`(a+)+$`) cannot freeze the event loop over a deployment's log, where
 * Ctrl-C would then never tear the cell down. The engine refuses what it cannot run in linear time
 * (lookahead, backreferences, a counted repetition above 16): such a pattern is refused when its
 * file is read, naming the fix, before anything starts.
 */
v8.setFlagsFromString('--enable-experimental-regexp-engine');

/** Why `source` cannot be a user regex, or undefined when it can. */
export function linearRegexProblem(source: string): string | undefined {
  try {
    new RegExp(source);
  } catch (error) {
    return `not a valid regular expression (JavaScript syntax): ${(error as Error).message.replace(/^Invalid regular expression: /, '')}; escape ( ) [ ] . * + ? with a backslash`;
  }
  try {
    new RegExp(source, 'l');
    return undefined;
  } catch {
    return 'cannot run in linear time (gategrid runs your patterns without backtracking): drop lookahead (?= ?!) and backreferences (\\1), and write a counted repetition as at most {16} (for a UUID: [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}, or [0-9a-f-]+)';
  }
}

/** A user's pattern, compiled for the linear-time engine (checked with linearRegexProblem when its file was read). */
export function linearRegex(source: string, flags = ''): RegExp {
  return new RegExp(source, `${flags}l`);
}
