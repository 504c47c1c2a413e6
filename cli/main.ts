import { ConfigError, loadConfig } from '../stacks/config';

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

const consoleIo: CliIo = { out: (l) => console.log(l), err: (l) => console.error(l) };

/** A user mistake: printed as one clear line, never with a stack trace. */
export class UsageError extends Error {}

const usage = `usage: logwarden <command> [options]

commands:
  config check [--config FILE]   validate logwarden.config.json and print what it governs
  help                           this text`;

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i === -1) return undefined;
  const value = args[i + 1];
  if (value === undefined || value.startsWith('--')) throw new UsageError(`${name} needs a value`);
  return value;
}

async function configCheck(args: string[], io: CliIo): Promise<number> {
  const path = option(args, '--config') ?? 'logwarden.config.json';
  const c = loadConfig(path);
  io.out(`${path} is valid`);
  io.out(`  organization ${c.organizationId}, home region ${c.homeRegion}`);
  io.out(`  governed regions: ${c.governedRegions.join(', ')}`);
  io.out(`  trail mode: ${c.trail.mode}; Kinesis: ${c.kinesis.capacity}, ${c.kinesis.retentionHours} h`);
  io.out(`  archive: ${c.archive.retentionDays} days, Object Lock ${c.archive.objectLock.mode}`);
  return 0;
}

export async function runCli(argv: string[], io: CliIo = consoleIo): Promise<number> {
  const [command, sub, ...rest] = argv;
  try {
    if (command === undefined || command === 'help' || command === '--help') {
      io.out(usage);
      return 0;
    }
    if (command === 'config' && sub === 'check') return await configCheck(rest, io);
    throw new UsageError(`unknown command: ${[command, sub].filter(Boolean).join(' ')}\n${usage}`);
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigError) {
      io.err(`error: ${err.message}`);
      return 2;
    }
    throw err;
  }
}
