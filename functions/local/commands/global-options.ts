// operator --> (the options every `mailroute` command takes) --> --stack, --help, --version, taken out
// before a command parses its own.
import { readFileSync } from 'node:fs';
import { commandUsage } from './usage.js';

export { commandUsage };

const PACKAGE = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  name: string;
  version: string;
};

export const VERSION_TEXT = `${PACKAGE.name} ${PACKAGE.version} (node ${process.version})`;

export interface GlobalOptions {
  /** The AWS stack to work on; from --stack NAME, --stack=NAME or MAILROUTE_STACK. */
  stack: string | undefined;
  help: boolean;
  version: boolean;
  /** The arguments without the global options. */
  args: string[];
}

export function takeGlobalOptions(argv: string[], env: NodeJS.ProcessEnv): GlobalOptions {
  const args: string[] = [];
  let stack = env.MAILROUTE_STACK || undefined;
  let help = false;
  let version = false;
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] as string;
    if (arg === '--') {
      args.push(...argv.slice(index));
      break;
    }
    if (arg === '--help' || arg === '-h') help = true;
    else if (arg === '--version' || arg === '-V') version = true;
    else if (arg === '--stack') {
      const value = argv[index + 1];
      if (!value || value.startsWith('-')) throw new Error('--stack needs a stack name');
      stack = value;
      index += 1;
    } else if (arg.startsWith('--stack=')) stack = arg.slice('--stack='.length);
    else args.push(arg);
  }
  return { stack, help, version, args };
}
