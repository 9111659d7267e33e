import { ConfigError, errorMessage, GategridError, UsageError } from '../errors.ts';
import { Redactor } from '../results/redactor.ts';
import { commandAffected, commandDown, commandForward, commandReleaseStatus, commandRepeat, commandList, commandPrune, commandReport, commandRun, commandStale, versionLine } from './commands.ts';
import { parse, USAGE } from './cli-options.ts';
import { commandInit } from './init-command.ts';

export async function runCli(argv: string[]): Promise<number> {
  // The run's one redaction point: the run registers every secret with it, and a crash line or a
  // --debug stack printed here passes it too.
  const redactor = new Redactor();
  try {
    let parsed;
    try {
      parsed = parse(argv);
    } catch (cause) {
      throw new UsageError(`${errorMessage(cause)} (see gategrid --help)`, { cause });
    }
    const [command, ...rest] = parsed.positionals;
    if (parsed.values.version) {
      process.stdout.write(`gategrid ${await versionLine()}\n`);
      return 0;
    }
    if (parsed.values.help || command === undefined || command === 'help') {
      process.stdout.write(USAGE);
      return command === undefined && !parsed.values.help ? 2 : 0;
    }
    switch (command) {
      case 'run': return await (parsed.values.repeat === undefined ? commandRun(parsed.values, redactor) : commandRepeat(parsed.values, redactor));
      case 'list': return await commandList(parsed.values);
      case 'affected': return await commandAffected(parsed.values);
      case 'release-status': return await commandReleaseStatus(parsed.values);
      case 'down': {
        if (rest.length !== 1) throw new UsageError('usage: gategrid down RUN_ID (the id is printed by gategrid run, and is in results.json)');
        return await commandDown(parsed.values, rest[0]!);
      }
      case 'prune': return await commandPrune(parsed.values);
      case 'forward': {
        if (rest.length !== 1) throw new UsageError('usage: gategrid forward RUN_ID (a run that kept Kubernetes cells: --keep failed|always, or --stop-after)');
        return await commandForward(parsed.values, rest[0]!);
      }
      case 'report': return await commandReport(parsed.values, rest);
      case 'stale': return await commandStale(parsed.values);
      case 'init': {
        if (rest.length > 1) throw new UsageError('usage: gategrid init [DIR] (default: the current folder)');
        return await commandInit(rest[0] ?? '.');
      }
      default: throw new UsageError(`unknown command "${command}": expected init, run, list, affected, report, release-status, stale, down, forward or prune`);
    }
  } catch (error) {
    if (error instanceof ConfigError || error instanceof UsageError) {
      process.stderr.write(`gategrid: ${error.message}\n`);
      return 2;
    }
    const kind = error instanceof GategridError ? error.side : 'internal';
    process.stderr.write(redactor.text(`gategrid: ${kind} error: ${errorMessage(error)}\n`));
    // One line for people; the stack only when asked (--debug), for bug reports.
    if (argv.includes('--debug') && error instanceof Error && error.stack) process.stderr.write(redactor.text(`${error.stack}\n`));
    else if (!(error instanceof GategridError)) process.stderr.write('gategrid: this is a bug in gategrid; run again with --debug for the stack trace and report it\n');
    return 1;
  }
}
