/**
 * A reader that stops early (`logwarden coverage | head`) closes the pipe: that is the end of the
 * output, not an error to print with a stack trace. Any other write error is still thrown.
 */
export function endQuietlyOnClosedPipe(stream: NodeJS.WriteStream = process.stdout): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(process.exitCode ?? 0);
  });
}
