// operator input --> (since) --> a point in time: `30m`, `24h`, `7d`, or an ISO date/time.

export function sinceTime(value: string, now: Date): string {
  const relative = /^(\d+)\s*([mhd])$/.exec(value.trim());
  if (relative) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as 'm' | 'h' | 'd'];
    return new Date(now.getTime() - Number(relative[1]) * unit).toISOString();
  }
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new RangeError(`${value}: use e.g. 30m, 24h, 7d or 2026-04-20`);
  return new Date(time).toISOString();
}
