// `gallery`: the command-line client of Gallery Server (see docs/cli.md). `npx gallery --help`.
// Exit codes: 0 done, 1 something failed (a file of an import or an export, the server), 2 a
// mistake in the command (an unknown option, no credentials).
import { availableParallelism } from 'node:os';
import { Command, InvalidArgumentError, Option } from 'commander';

import { login, logout, whoami } from './account';
import { exportGallery } from './export';
import { importLibrary } from './import';
import { galleryOption } from './import-plan';
import { list } from './list';
import { CliError } from './output';

const positive = (name: string) => (value: string) => {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError(`${name}: a whole number from 1.`);
  return number;
};
const whole = (value: string) => {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw new InvalidArgumentError('a whole number from 0.');
  return number;
};
const json = () => new Option('--json', 'print JSON, for scripts');
const retries = () =>
  new Option('--retries <n>', 'tries again this often when the server cannot be reached or is busy')
    .argParser(whole)
    .default(4);

let exitCode = 0;

function program(): Command {
  const cli = new Command('gallery')
    .description('Command-line client of Gallery Server: import a library of photos, export a gallery.')
    .version('1.0.0')
    .showHelpAfterError()
    .exitOverride();
  cli
    .command('login')
    .description('sign in and keep a personal token (0600) in $XDG_CONFIG_HOME/gallery or ~/.config/gallery')
    .requiredOption('--server <url>', 'the server, e.g. http://localhost:8000')
    .option('--username <name>', 'asked for on a terminal when not given')
    .option('--password-stdin', 'read the password from the first line of standard input')
    .option('--otp <code>', 'with two-factor sign-in: a code of the authenticator app, or a recovery code')
    .addOption(json())
    .action(login);
  cli.command('logout').description('revoke the kept token and forget it').addOption(json()).action(logout);
  cli
    .command('whoami')
    .description('the signed-in user')
    .addOption(json())
    .action(async (options: { json?: boolean }) => void (await whoami(options)));
  cli
    .command('ls')
    .description('the galleries you can see, or the images of one')
    .argument('[gallery]', 'a gallery id', galleryOption)
    .addOption(json())
    .action(list);
  importCommand(cli);
  cli
    .command('export')
    .description('every image of a gallery you may fetch (originals where allowed, else previews) and manifest.json')
    .argument('<gallery>', 'a gallery id', galleryOption)
    .argument('<dir>', 'the folder to write to (made when missing)')
    .option('--concurrency <n>', 'downloads at a time', positive('--concurrency'), 4)
    .addOption(retries())
    .addOption(json())
    .action(async (gallery: number, dir: string, options) => {
      exitCode = await exportGallery(gallery, dir, options as { json?: boolean; concurrency: number; retries: number });
    });
  return cli;
}

function importCommand(cli: Command) {
  cli
    .command('import')
    .description('upload the image files under a folder; files already on the server are skipped')
    .argument('<dir>', 'the folder, read recursively (hidden files left out)')
    .option('--gallery <id>', 'into this gallery')
    .option('--by-folder', 'into a gallery per folder, named after it (made when missing)')
    .option('--concurrency <n>', 'requests at a time (default: the number of cores)', positive('--concurrency'))
    .option('--dry-run', 'only say what would be uploaded')
    .addOption(new Option('--batch-files <n>', 'files per request').argParser(positive('--batch-files')).default(10))
    .addOption(
      new Option('--batch-megabytes <n>', 'about this many MB per request')
        .argParser(positive('--batch-megabytes'))
        .default(32),
    )
    .addOption(
      new Option('--resumable-above <mb>', 'files larger than this go through a resumable (tus) upload')
        .argParser(whole)
        .default(8),
    )
    .addOption(retries())
    .addOption(json())
    .addHelpText('after', `\nConcurrency defaults to ${availableParallelism()} here. Exit code 1 when any file failed.`)
    .action(async (dir: string, options) => {
      exitCode = await importLibrary(dir, options as Parameters<typeof importLibrary>[1]);
    });
}

program()
  .parseAsync(process.argv)
  .then(
    () => process.exit(exitCode),
    (error: unknown) => {
      const code = (error as { code?: string; exitCode?: number }).code;
      if (typeof code === 'string' && code.startsWith('commander.')) {
        process.exit(code === 'commander.helpDisplayed' || code === 'commander.version' ? 0 : 2);
      }
      const { cause: reason } = error as { cause?: { code?: string; message?: string } };
      const cause = error instanceof TypeError && reason ? (reason.code ?? reason.message) : undefined;
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`gallery: ${cause ? `the server could not be reached (${cause})` : message}\n`);
      process.exit(error instanceof CliError ? error.exitCode : 1);
    },
  );
