#!/usr/bin/env -S npx tsx
import { runCli } from './main';
import { endQuietlyOnClosedPipe } from './pipe';

endQuietlyOnClosedPipe(process.stdout);

runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
