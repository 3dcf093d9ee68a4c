import { redisOptions } from './redis-connection';

const one = { url: 'redis://r:6379', keyPrefix: 'p', sentinelName: 'mymaster', tls: false };

describe('redisOptions', () => {
  it('one Redis: only the behaviour and the credentials given', () => {
    expect(
      redisOptions({ ...one, password: 'pw' }, { maxRetriesPerRequest: null, connectTimeout: 5 }),
    ).toEqual({
      maxRetriesPerRequest: null,
      connectTimeout: 5,
      password: 'pw',
      username: undefined,
    });
  });

  it('TLS with a CA of its own', () => {
    expect(redisOptions({ ...one, tls: true, tlsCa: 'PEM' }, {}).tls).toEqual({ ca: 'PEM' });
    expect(redisOptions({ ...one, tls: true }, {}).tls).toEqual({});
  });

  it('Sentinels: asks them for the master, follows failovers, reconnects on READONLY', () => {
    const options = redisOptions(
      {
        ...one,
        url: undefined,
        sentinels: [{ host: 's1', port: 26379 }],
        sentinelPassword: 'spw',
        tls: true,
        tlsCa: 'PEM',
      },
      { maxRetriesPerRequest: 1 },
    );
    expect(options).toMatchObject({
      sentinels: [{ host: 's1', port: 26379 }],
      name: 'mymaster',
      sentinelPassword: 'spw',
      failoverDetector: true,
      maxRetriesPerRequest: 1,
      tls: { ca: 'PEM' },
      sentinelTLS: { ca: 'PEM' },
      enableTLSForSentinelMode: true,
    });
    const reconnect = options.reconnectOnError as (error: Error) => boolean;
    expect(reconnect(new Error("READONLY You can't write against a read only replica."))).toBe(
      true,
    );
    expect(reconnect(new Error('ERR unknown command'))).toBe(false);
  });
});
