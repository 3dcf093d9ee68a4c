import { ConfigError, loadConfig } from '@auditlog/config';
import {
  MAINTENANCE_JOB_NAMES,
  maintenanceJobOptions,
  maintenanceSchedules,
  maintenanceWorkerOptions,
} from './maintenance-queue';

const base = {
  OPENSEARCH_URL: 'http://127.0.0.1:9200',
  REDIS_URL: 'redis://127.0.0.1:6379',
  REDIS_KEY_PREFIX: 'unit',
};

describe('maintenance queue: schedules from the interval settings', () => {
  it('schedules each job at its setting, in milliseconds', () => {
    const config = loadConfig('maintenance', {
      ...base,
      INTEGRITY_WINDOW: '1h',
      INTEGRITY_JOB_INTERVAL_SECONDS: '30',
      RETENTION_SWEEP_INTERVAL_SECONDS: '600',
      EXPORT_MAINTENANCE_INTERVAL_SECONDS: '45',
      INDEX_PRE_CREATION_INTERVAL_SECONDS: '900',
    });
    expect(maintenanceSchedules(config)).toEqual([
      { name: 'integrity.seal-digests', everyMs: 30_000 },
      { name: 'retention.sweep', everyMs: 600_000 },
      { name: 'exports.maintain', everyMs: 45_000 },
      { name: 'retention.ensure-indices', everyMs: 900_000 },
    ]);
  });

  it('keeps the defaults (sweep and index pre-creation hourly, exports every minute) and 0 as "off"', () => {
    const defaults = maintenanceSchedules(loadConfig('maintenance', base));
    expect(defaults.map((schedule) => [schedule.name, schedule.everyMs])).toEqual([
      ['integrity.seal-digests', 60_000],
      ['retention.sweep', 3_600_000],
      ['exports.maintain', 60_000],
      ['retention.ensure-indices', 3_600_000],
    ]);
    const off = maintenanceSchedules(
      loadConfig('maintenance', {
        ...base,
        INTEGRITY_JOB_INTERVAL_SECONDS: '0',
        RETENTION_SWEEP_INTERVAL_SECONDS: '0',
        EXPORT_MAINTENANCE_INTERVAL_SECONDS: '0',
        INDEX_PRE_CREATION_INTERVAL_SECONDS: '0',
      }),
    );
    expect(off.every((schedule) => schedule.everyMs === 0)).toBe(true);
  });

  it('names every job once, runs each once per iteration and keeps finished jobs a while', () => {
    expect(new Set(MAINTENANCE_JOB_NAMES).size).toBe(4);
    expect(maintenanceJobOptions()).toMatchObject({ attempts: 1 });
    const config = loadConfig('maintenance', base);
    expect(maintenanceWorkerOptions(config)).toMatchObject({
      prefix: 'unit',
      concurrency: 1,
      autorun: false,
    });
  });

  it('refuses a pre-creation interval longer than the day of lead time can cover', () => {
    expect(() =>
      loadConfig('maintenance', { ...base, INDEX_PRE_CREATION_INTERVAL_SECONDS: '86400' }),
    ).toThrow(ConfigError);
  });

  it('needs no JWT settings and checks its health port', () => {
    expect(loadConfig('maintenance', base).maintenance).toEqual({ healthPort: 3004 });
    expect(
      loadConfig('maintenance', { ...base, MAINTENANCE_HEALTH_PORT: '0' }).maintenance,
    ).toEqual({ healthPort: 0 });
    expect(() => loadConfig('maintenance', { ...base, MAINTENANCE_HEALTH_PORT: '70000' })).toThrow(
      ConfigError,
    );
  });
});
