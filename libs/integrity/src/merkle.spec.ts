import { createHash } from 'node:crypto';
import { merkleRoot, merkleRootHex, merkleRootRecursive } from './merkle';

// Leaf i is 32 bytes of value i. Expected roots were computed with an independent
// implementation of RFC 6962 §2.1 and are repeated in docs/integrity.md.
const leaves = Array.from({ length: 8 }, (_, i) => Buffer.alloc(32, i));

describe('merkleRoot (RFC 6962)', () => {
  it.each([
    [0, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    [1, '7f9c9e31ac8256ca2f258583df262dbc7d6f68f2a03043d5c99a4ae5a7396ce9'],
    [2, '28fb81e496897e0ce886f08602392e9239b65c659041e5202163e58ad898f444'],
    [3, 'ba8d94b7fbcecae7b81c4c80574fe24734a6917bf9c1ecd66ff3e0c34ead4620'],
    [5, '85e20cac1f02fda7bcdb2fc3f908568c57018c77815f1fa361acad13994f08bf'],
    [7, '7318881c41fce3c1de3640df8e8c110c93f43f686b74204a9d1ad5b8c71c2047'],
  ])('over %i leaves is the fixed vector', (count, expected) => {
    expect(merkleRoot(leaves.slice(0, count)).toString('hex')).toBe(expected);
  });

  it('of the empty tree is SHA-256 of the empty string', () => {
    expect(merkleRootHex([])).toBe(createHash('sha256').update('').digest('hex'));
  });

  it('matches the recursive definition for every size up to 70', () => {
    const many = Array.from({ length: 70 }, (_, i) =>
      createHash('sha256').update(String(i)).digest(),
    );
    for (let n = 0; n <= many.length; n += 1) {
      expect(merkleRoot(many.slice(0, n))).toEqual(merkleRootRecursive(many.slice(0, n)));
    }
  });

  it('depends on leaf order', () => {
    const [, second, third] = leaves;
    if (second === undefined || third === undefined) throw new Error('expected 8 leaves');
    expect(merkleRoot([second, third])).not.toEqual(merkleRoot([third, second]));
  });
});
