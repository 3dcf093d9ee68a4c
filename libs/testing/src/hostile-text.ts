/** Fragments that break naive query parsers: quotes, Lucene operators, regex, odd unicode. */
const FRAGMENTS = [
  '"',
  '\\',
  '-',
  ':',
  '*',
  '?',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  '~',
  '^',
  '/',
  '!',
  '&&',
  '||',
  'AND',
  'OR',
  'NOT',
  ' ',
  'action:',
  'actor:',
  'target:',
  'outcome:',
  'é',
  '😀',
  '\u0000',
  '\u202e',
  'ﷺ',
  '%',
  '<script>',
  "'",
  'a'.repeat(300),
  '.*',
  '[a-z]+',
  '/.*/',
  'field:*',
  '\ud800',
  '\t',
  '\n',
];

/**
 * `count` deterministic hostile search strings: short mixes of the fragments above, and
 * every hundredth one long (hundreds of fragments) to hit the input limits.
 */
export function hostileQueries(count: number, seed = 42): string[] {
  let state = seed;
  const random = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
  return Array.from({ length: count }, (_, index) => {
    const length = index % 100 === 0 ? 400 : 1 + Math.floor(random() * 12);
    let text = '';
    for (let part = 0; part < length; part++)
      text += FRAGMENTS[Math.floor(random() * FRAGMENTS.length)];
    return text;
  });
}
