/** Integer options of the run scripts: checked, with the script's usage text on a bad value. */
export function intOption(help: string) {
  return (name: string, raw: string, min: number): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min)
      usageError(help, `--${name} must be an integer ≥ ${min}, got "${raw}"`);
    return n;
  };
}

export function usageError(help: string, message: string): never {
  console.error(`${message}\n\n${help}`);
  process.exit(2);
}

const DEFAULT_POSTGRES = 'postgres://postgres@127.0.0.1:5432';

/** The options every run against the local cluster has: its Postgres server, --keep-logs, --help. */
export function runOptions(postgresEnvVar: string) {
  return {
    postgres: { type: 'string', default: process.env[postgresEnvVar] ?? DEFAULT_POSTGRES },
    'keep-logs': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  } as const;
}

/** Their lines of the usage text, the flags padded to `width`. */
export function runOptionsHelp(postgresEnvVar: string, width: number): string {
  const row = (flag: string, what: string) => `  ${flag.padEnd(width)} ${what}`;
  return [
    row('--postgres <url>', `Postgres server (env ${postgresEnvVar}; default ${DEFAULT_POSTGRES})`),
    row('--keep-logs', "keep the processes' logs (printed path) after a passing run"),
    '  --help',
  ].join('\n');
}

/** --help: the usage text, exit 0. */
export function exitOnHelp(asked: boolean, help: string): void {
  if (!asked) return;
  console.log(help);
  process.exit(0);
}
