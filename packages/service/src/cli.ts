import { Command, type CommanderError } from 'commander';
import { envReference } from '@rotation/config';
import { EXIT_CODES_HELP, ExitCode } from './exit-codes.js';

export interface ServiceCliSpec {
  name: string;
  description: string;
  version: string;
  /** The settings shown with their defaults under --help, in this order. */
  env: readonly string[];
}

/** The environment part of a help text: each setting with its default, one per line. */
export function envHelp(names: readonly string[]): string {
  const lines = envReference(names).map((e) => {
    const shown = e.defaultValue === undefined ? ' (unset)' : e.defaultValue === null ? ' (required)' : `=${e.defaultValue}`;
    return `  ${e.name}${shown}\n      ${e.description}`;
  });
  return `Environment (NAME=default, then what it sets; every setting: docs/configuration.md):\n${lines.join('\n')}`;
}

/**
 * Maps commander's exits onto the documented codes: --help and --version exit 0, and every
 * usage error (unknown option, missing value, bad argument) exits 2, never commander's 1.
 * Set before subcommands are added: they inherit it.
 */
export function withUsageExitCodes(program: Command): Command {
  return program.exitOverride((err: CommanderError) => {
    process.exit(err.exitCode === 0 ? ExitCode.ok : ExitCode.usage);
  });
}

/**
 * The command line of a service that takes no arguments (detector, gateway): --help and
 * --version answer and exit before anything starts; anything else given is a usage error.
 */
export function parseServiceCli(spec: ServiceCliSpec, argv: readonly string[] = process.argv): void {
  const program = withUsageExitCodes(new Command(spec.name))
    .description(spec.description)
    .version(spec.version, '-V, --version', 'print the version and exit')
    .helpOption('-h, --help', 'print this help and exit')
    .allowExcessArguments(false)
    .addHelpText('after', `\n${envHelp(spec.env)}\n\n${EXIT_CODES_HELP}\n`);
  program.parse([...argv]);
}
