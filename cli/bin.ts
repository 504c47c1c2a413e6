#!/usr/bin/env -S npx tsx
import { runCli } from './main';

// A reader that stops early (`logwarden coverage | head`) closes the pipe: that is the end of the
// output, not an error to print with a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(process.exitCode ?? 0);
});

runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
