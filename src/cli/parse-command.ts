/** The verbs of `node app.js <verb> [mode]`, as the origin. */
export type Verb = 'start' | 'stop' | 'restart' | 'reload' | 'status' | 'connections';

export interface Command {
  verb: Verb;
  /** `-d`: daemon for start/restart, live refresh for status. */
  daemon: boolean;
  /** `-g`: graceful stop / reload. */
  graceful: boolean;
  /** `-q`: no start banner. */
  quiet: boolean;
  /** `--json`: machine-readable output for status / connections. */
  json: boolean;
}

const VERBS: readonly Verb[] = ['start', 'stop', 'restart', 'reload', 'status', 'connections'];

/**
 * Finds the verb and modes among the arguments, in any order, as the origin
 * does (the first verb wins). `null` when there is no verb.
 */
export function parseCommand(args: readonly string[]): Command | null {
  const verb = args.find((arg): arg is Verb => (VERBS as readonly string[]).includes(arg));
  if (verb === undefined) return null;
  return {
    verb,
    daemon: args.includes('-d'),
    graceful: args.includes('-g'),
    quiet: args.includes('-q'),
    json: args.includes('--json'),
  };
}

export function usage(startFile: string): string {
  return [
    `Usage: node ${startFile} <command> [mode]`,
    'Commands:',
    '  start         Start in the foreground (Ctrl-C stops).',
    '                Use mode -d to start as a daemon.',
    '  stop          Stop. Use mode -g to stop gracefully.',
    '  restart       Restart. Use mode -d to run as a daemon, -g to stop gracefully.',
    '  reload        Reload code. Use mode -g to reload gracefully.',
    '  status        Show the status. Use mode -d for a live view.',
    '  connections   Show the connections of every process.',
  ].join('\n');
}
