describe('a file that leaves an interval running', () => {
  it('starts a poll and never stops it', () => {
    const timer = setInterval(() => undefined, 50);
    expect(timer.hasRef()).toBe(true);
  });
});
