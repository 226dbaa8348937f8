/**
 * Graceful shutdown on SIGINT/SIGTERM, listened for from the first line of an entry point: a signal
 * that arrives while the system is still starting aborts the start (whatever was started is closed)
 * instead of being lost; once started: stop taking work, finish or hand back what is running, close.
 */
import type { Logger } from 'pino';
import type { Stack } from './stack.js';

export interface ShutdownHandle {
  /** Aborted by the first SIGINT/SIGTERM: pass it to startStack. */
  signal: AbortSignal;
  /** Hands over the started stack; closes it at once if a signal came while it was starting. */
  started(stack: Pick<Stack, 'close'>): void;
  /** For startStack's rejection: after a signal it is the abort, and the process exits quietly. */
  startFailed(err: unknown): never;
}

export function shutdownOnSignal(logger: Logger, onClosed?: () => void): ShutdownHandle {
  const controller = new AbortController();
  let stack: Pick<Stack, 'close'> | null = null;
  const close = (s: Pick<Stack, 'close'>) =>
    s
      .close()
      .then(() => {
        onClosed?.();
        process.exit(0);
      })
      .catch((err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  const stop = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) return;
    logger.info({ signal, starting: stack === null }, 'shutting down');
    controller.abort(new Error(`${signal} while starting`));
    if (stack) void close(stack);
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  return {
    signal: controller.signal,
    started(s) {
      stack = s;
      if (controller.signal.aborted) void close(s);
    },
    startFailed(err) {
      if (!controller.signal.aborted) throw err;
      onClosed?.();
      process.exit(0);
    },
  };
}

/** For entry points that start their stack before anything can interrupt them. */
export function runUntilSignal(stack: Pick<Stack, 'close'>, logger: Logger, onClosed?: () => void): void {
  shutdownOnSignal(logger, onClosed).started(stack);
}
