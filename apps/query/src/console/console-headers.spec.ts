import { consoleFileFor, consoleSecurityPolicy } from './console-headers';

describe('consoleSecurityPolicy', () => {
  it('allows only the appliance itself by default', () => {
    const policy = consoleSecurityPolicy({ dir: '/x', exportUrl: '', frameAncestors: [] });
    expect(policy).toContain("script-src 'self';");
    expect(policy).toContain("connect-src 'self';");
    expect(policy).toContain("frame-ancestors 'self';");
    expect(policy).not.toContain('unsafe');
  });

  it('adds the export origin and the configured host origins', () => {
    const policy = consoleSecurityPolicy({
      dir: '/x',
      exportUrl: 'http://127.0.0.1:3003/base',
      frameAncestors: ['https://platform.example.com', 'https://admin.example.com'],
    });
    expect(policy).toContain("connect-src 'self' http://127.0.0.1:3003;");
    expect(policy).toContain(
      'frame-ancestors https://platform.example.com https://admin.example.com;',
    );
  });
});

describe('consoleFileFor', () => {
  it.each([
    ['', 'index.html', 'never'],
    ['index.html', 'index.html', 'never'],
    ['events/whatever', 'index.html', 'never'],
    ['assets/index-AbC123.js', 'assets/index-AbC123.js', 'immutable'],
    ['embed.js', 'embed.js', 'revalidate'],
  ])('%j is served from %j (%s)', (path, file, cache) => {
    expect(consoleFileFor(path)).toEqual({ file, cache });
  });
});
