import { cell } from './columns';
import { csvCell, csvField } from './text-writers';

/** Texts at the edges of csvCell's fast path: leads, trailing spaces, quotes, line breaks. */
const TEXTS = [
  '',
  'plain',
  'b-00024006',
  '2026-12-01T18:54:23.883Z',
  'token migration incident by user 416',
  'a,b',
  'say "hi"',
  'two\nlines',
  'cr\r',
  ' edge',
  'edge ',
  'edge\t',
  '\tx',
  '\rx',
  '=1+1',
  '+1',
  '-1',
  '@SUM(A1)',
  'a=1',
  ' =1+1',
  '\u0000=1+1',
  '\u00a0\u200b@x',
  '\uff1d1+1',
  '\u007f',
  'x\u007f',
  '\u00a0x',
  'x\u00a0',
  'x\u2028',
  '\ufeffx',
  'ünï',
  'x ü',
  '~',
  '!',
  "'",
  '"',
  ',',
];

const VALUES: unknown[] = [
  ...TEXTS,
  undefined,
  null,
  0,
  -5,
  1.5e-7,
  true,
  false,
  { a: '=x' },
  ['=x'],
  [{ type: 'project', id: 'p-18', name: 'Project 18' }],
  {},
  [],
  { 'k,"': ' v\n' },
];

describe('csvCell', () => {
  it.each(VALUES.map((value) => [value]))('writes %j as csvField(cell(value)) does', (value) => {
    expect(csvCell(value)).toBe(csvField(cell(value)));
  });

  it('writes every two-character text of the edge characters as csvField(cell(value)) does', () => {
    const edges = ['a', ' ', '\t', '\r', '\n', '"', ',', '=', '-', '+', '@', '\u007f', '\u00a0'];
    for (const first of edges)
      for (const second of edges) {
        const text = `${first}${second}`;
        expect(csvCell(text)).toBe(csvField(cell(text)));
      }
  });
});
