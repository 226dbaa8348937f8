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

/** The options every run against the local cluster has: its Postgres server, --keep-logs, --help. */
export function runOptions(postgresEnvVar: string) {
  return {
    postgres: {
      type: 'string',
      default: process.env[postgresEnvVar] ?? 'postgres://postgres@127.0.0.1:5432',
    },
    'keep-logs': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  } as const;
}

/** --help: the usage text, exit 0. */
export function exitOnHelp(asked: boolean, help: string): void {
  if (!asked) return;
  console.log(help);
  process.exit(0);
}
