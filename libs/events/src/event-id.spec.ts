import { generateEventId } from './event-id';

describe('generateEventId', () => {
  it('produces RFC 9562 version 7 UUIDs carrying the time', () => {
    const id = generateEventId(0x0190_1234_5678);
    expect(id).toMatch(/^01901234-5678-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('sorts by creation time and does not repeat', () => {
    const ids = [1_700_000_000_000, 1_700_000_000_001, 1_800_000_000_000].map((ms) =>
      generateEventId(ms),
    );
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(Array.from({ length: 1000 }, () => generateEventId())).size).toBe(1000);
  });
});
