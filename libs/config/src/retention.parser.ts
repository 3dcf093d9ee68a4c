import type { RetentionClass } from './app-config';

const UNIT_DAYS: Record<string, number> = { d: 1, m: 30, y: 365 };

export function retentionDays(name: string): number {
  const [, count, unit = ''] = /^(\d+)([dmy])$/.exec(name) ?? [];
  const unitDays = UNIT_DAYS[unit];
  if (count === undefined || unitDays === undefined) {
    throw new Error(`"${name}" is not a retention class like 30d, 6m or 1y`);
  }
  return Number(count) * unitDays;
}

export function parseRetentionClasses(list: string): RetentionClass[] {
  const names = [...new Set(list.split(',').map((name) => name.trim()))];
  return names.map((name) => ({ name, days: retentionDays(name) })).sort((a, b) => a.days - b.days);
}
