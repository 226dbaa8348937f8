/** Graceful shutdown on SIGINT/SIGTERM: stop taking work, finish or hand back what is running, close. */
import type { Logger } from 'pino';
import type { Stack } from './stack.js';

export function runUntilSignal(stack: Pick<Stack, 'close'>, logger: Logger, onClosed?: () => void): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    stack
      .close()
      .then(() => {
        onClosed?.();
        process.exit(0);
      })
      .catch((err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
