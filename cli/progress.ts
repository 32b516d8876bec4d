// Progress on stderr: a line that rewrites itself on a terminal, a few plain lines otherwise.

export function progressReporter(label: string): (fraction: number) => void {
  const tty = process.stderr.isTTY === true;
  let lastShown = -1;
  return (fraction) => {
    const pct = Math.floor(fraction * 100);
    const step = tty ? 1 : 25;
    if (pct < lastShown + step && pct < 100) return;
    lastShown = pct;
    if (tty) process.stderr.write(`\r${label} ${pct}%${pct >= 100 ? "\n" : ""}`);
    else process.stderr.write(`${label} ${pct}%\n`);
  };
}
