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
