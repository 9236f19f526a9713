// What every command line of the server shares: the .env file of the working folder read first
// (as `npm start` does), the options parsed, and wrong ones answered with a usage line and exit
// code 2.
import { existsSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Exits 2 with `message` and the usage line. */
export function usageError(usage: string, message: string): never {
  console.error(`${message}\nusage: ${usage}`);
  process.exit(2);
}

/** The .env file loaded, then the parsed options (`usage` for a wrong one, exit 2). */
export function commandLine<O extends Options>(options: O, usage: string) {
  if (existsSync('.env')) process.loadEnvFile('.env');
  try {
    return parseArgs({ options, strict: true }).values;
  } catch (error) {
    return usageError(usage, error instanceof Error ? error.message : String(error));
  }
}
