import { parseOrigins } from './origins.parser';

describe('parseOrigins', () => {
  it.each([
    ['', []],
    ['https://a.example.com', ['https://a.example.com']],
    [
      'https://a.example.com/, http://127.0.0.1:3002',
      ['https://a.example.com', 'http://127.0.0.1:3002'],
    ],
    ['http://[::1]:8080 https://b.example', ['http://[::1]:8080', 'https://b.example']],
  ])('accepts %j', (text, expected) => {
    const problems: string[] = [];
    expect(parseOrigins('CORS_ALLOWED_ORIGINS', text, problems)).toEqual(expected);
    expect(problems).toEqual([]);
  });

  it.each(['*', 'example.com', 'https://a.example.com/console', 'ftp://a.example', "'self'"])(
    'names the bad entry %j',
    (entry) => {
      const problems: string[] = [];
      expect(parseOrigins('CORS_ALLOWED_ORIGINS', `https://ok.example,${entry}`, problems)).toEqual(
        ['https://ok.example'],
      );
      expect(problems).toEqual([
        `CORS_ALLOWED_ORIGINS: "${entry}" is not an origin like https://platform.example.com`,
      ]);
    },
  );
});
