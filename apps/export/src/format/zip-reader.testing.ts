import { execFileSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { buffer } from 'node:stream/consumers';

/** Python's zipfile as an independent reader: entry names, sizes, digests and CRC check. */
const READ_ZIP = `
import hashlib, io, json, sys, zipfile
archive = zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read()))
bad = archive.testzip()
print(json.dumps({
  "bad": bad,
  "entries": [] if bad else [
    {"name": i.filename, "size": i.file_size, "sha256": hashlib.sha256(archive.read(i)).hexdigest()}
    for i in archive.infolist()
  ],
}))
`;

export interface ZipReadBack {
  /** The first entry whose CRC or data is wrong, if any (entries are then not read). */
  bad: string | null;
  entries: Array<{ name: string; size: number; sha256: string }>;
}

export function readZipWithPython(bytes: Buffer): ZipReadBack {
  return JSON.parse(
    execFileSync('python3', ['-c', READ_ZIP], { input: bytes }).toString(),
  ) as ZipReadBack;
}

/** Everything a writer puts into a stream, once it has ended. */
export async function collectStream(write: (out: PassThrough) => Promise<void>): Promise<Buffer> {
  const out = new PassThrough();
  const bytes = buffer(out);
  await write(out);
  out.end();
  return bytes;
}
