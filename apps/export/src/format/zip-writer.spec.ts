import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { PassThrough, Writable } from 'node:stream';
import {
  collectStream as collect,
  readZipWithPython as readWithPython,
} from './zip-reader.testing';
import { ZipWriter } from './zip-writer';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** 3 MiB that deflate cannot shrink, then 3 MiB that it can: several deflate chunks each. */
const noise = randomBytes(3 * 1024 * 1024);
const text = Buffer.from('<row r="1"><c r="A1"><v>1</v></c></row>'.repeat(80_000));

async function sampleArchive(out: Writable): Promise<void> {
  const zip = new ZipWriter(out);
  await zip.addEntry('empty.txt', '');
  await zip.startEntry('dir/noise.bin');
  for (let at = 0; at < noise.length; at += 100_000)
    await zip.write(noise.subarray(at, at + 100_000));
  await zip.endEntry();
  await zip.addEntry('dir/text.xml', text);
  await zip.addEntry('ünïcode name.txt', 'ü');
  await zip.finish();
}

describe('ZipWriter', () => {
  it('writes an archive a real unzip reads back byte for byte, CRCs checked', async () => {
    const bytes = await collect(sampleArchive);
    expect(readWithPython(bytes)).toEqual({
      bad: null,
      entries: [
        { name: 'empty.txt', size: 0, sha256: sha256(Buffer.alloc(0)) },
        { name: 'dir/noise.bin', size: noise.length, sha256: sha256(noise) },
        { name: 'dir/text.xml', size: text.length, sha256: sha256(text) },
        { name: 'ünïcode name.txt', size: 2, sha256: sha256(Buffer.from('ü')) },
      ],
    });
    expect(bytes.length).toBeLessThan(noise.length + text.length / 10);
  });

  it('writes CRCs a reader checks: a changed byte of data is reported', async () => {
    const bytes = await collect(async (out) => {
      const zip = new ZipWriter(out, 0);
      await zip.addEntry('stored-like.txt', 'a'.repeat(1000));
      await zip.finish();
    });
    const local = 30 + 'stored-like.txt'.length;
    // Level 0 deflate keeps the bytes as they are after a 5-byte block header.
    const corrupt = Buffer.from(bytes);
    corrupt[local + 5 + 500] = 'b'.charCodeAt(0);
    expect(readWithPython(bytes).bad).toBeNull();
    expect(readWithPython(corrupt).bad).toBe('stored-like.txt');
  });

  it('passes unzip -t', async () => {
    const bytes = await collect(sampleArchive);
    const dir = execFileSync('mktemp', ['-d']).toString().trim();
    execFileSync('sh', ['-c', `cat > "${dir}/a.zip"`], { input: bytes });
    const report = execFileSync('unzip', ['-t', `${dir}/a.zip`]).toString();
    execFileSync('rm', ['-rf', dir]);
    expect(report).toContain('No errors detected');
  });

  it('waits for a slow output instead of buffering the archive', async () => {
    let peak = 0;
    const out = new Writable({
      highWaterMark: 64 * 1024,
      write(_chunk, _encoding, done) {
        setTimeout(done, 1);
      },
    });
    const sample = (): void => {
      peak = Math.max(peak, out.writableLength);
    };
    const timer = setInterval(sample, 0);
    await sampleArchive(out);
    clearInterval(timer);
    // One deflate chunk or one header past the mark at most, never the 6 MiB of entries.
    expect(peak).toBeLessThan(64 * 1024 + 128 * 1024);
  });

  it('fails, not hangs, when the output closes mid-entry', async () => {
    const out = new PassThrough({ highWaterMark: 1024 });
    const zip = new ZipWriter(out);
    await zip.startEntry('x.bin');
    out.destroy();
    await expect(
      (async () => {
        for (;;) await zip.write(noise.subarray(0, 100_000));
      })(),
    ).rejects.toThrow();
  });
});
