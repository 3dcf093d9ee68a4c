import { once } from 'node:events';
import type { TransformOptions, Writable } from 'node:stream';
import { constants, crc32, createDeflateRaw, type DeflateRaw, type ZlibOptions } from 'node:zlib';
import { put } from './row-writer';

/** The largest size or offset a ZIP record without ZIP64 extensions can hold. */
const MAX_32 = 0xffff_ffff;
/** The most entries a ZIP end record without ZIP64 extensions can count. */
const MAX_ENTRIES = 0xffff;
/** Bit 3: sizes and CRC follow the data; bit 11: names are UTF-8. */
const FLAGS = 0x0808;
const DEFLATE = 8;
const VERSION = 20;

/** An archive that would need ZIP64 records, which this writer does not write (ADR 0150). */
export class ZipLimitError extends Error {
  constructor(what: string) {
    super(`${what} passes the 4 GiB / 65,535-entry ZIP limit; narrow the filters or export CSV`);
    this.name = 'ZipLimitError';
  }
}

interface Entry {
  name: Buffer;
  offset: number;
  crc: number;
  size: number;
  compressed: number;
}

/** MS-DOS date and time of `at` (UTC), as ZIP headers store them. */
function dosDateTime(at: Date): { date: number; time: number } {
  return {
    date: ((at.getUTCFullYear() - 1980) << 9) | ((at.getUTCMonth() + 1) << 5) | at.getUTCDate(),
    time: (at.getUTCHours() << 11) | (at.getUTCMinutes() << 5) | (at.getUTCSeconds() >> 1),
  };
}

/**
 * A streaming ZIP archive (APPNOTE 6.3.10): each entry is deflated through node:zlib as it
 * is written, its CRC-32 computed on the way, and its sizes written in a data descriptor
 * after the data, so nothing of an entry is held back. The central directory closes the
 * archive. No ZIP64: an entry or archive past 4 GiB, or more than 65,535 entries, fails
 * with ZipLimitError before a wrong record is written. Entries are written one at a time.
 */
export class ZipWriter {
  private readonly entries: Entry[] = [];
  private offset = 0;
  private current?: { entry: Entry; deflate: DeflateRaw; pumped: Promise<void> };
  private readonly stamp: { date: number; time: number };

  constructor(
    private readonly out: Writable,
    private readonly level = constants.Z_BEST_SPEED,
    at = new Date(),
  ) {
    this.stamp = dosDateTime(at);
  }

  async startEntry(name: string): Promise<void> {
    if (this.current) throw new Error('the previous ZIP entry is still open');
    if (this.entries.length >= MAX_ENTRIES) throw new ZipLimitError('the entry count');
    const entry: Entry = {
      name: Buffer.from(name),
      offset: this.offset,
      crc: 0,
      size: 0,
      compressed: 0,
    };
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(VERSION, 4);
    header.writeUInt16LE(FLAGS, 6);
    header.writeUInt16LE(DEFLATE, 8);
    header.writeUInt16LE(this.stamp.time, 10);
    header.writeUInt16LE(this.stamp.date, 12);
    // CRC-32 and sizes (14–25) stay zero: the data descriptor carries them.
    header.writeUInt16LE(entry.name.length, 26);
    await this.emit(Buffer.concat([header, entry.name]));
    // zlib hands stream options to its Transform: room for one XML piece while the last one
    // is compressed on the thread pool, so formatting and deflating overlap.
    const options: ZlibOptions & TransformOptions = {
      level: this.level,
      chunkSize: 64 * 1024,
      writableHighWaterMark: 1024 * 1024,
    };
    const deflate = createDeflateRaw(options);
    const pumped = this.pump(entry, deflate);
    // Awaited by write or endEntry; a failure before that must not go unhandled.
    pumped.catch(() => undefined);
    this.current = { entry, deflate, pumped };
  }

  /** Adds data to the open entry; resolves once the deflater can take more. */
  async write(data: Buffer): Promise<void> {
    const current = this.current;
    if (!current) throw new Error('no ZIP entry is open');
    const { entry, deflate } = current;
    if (entry.size + data.length > MAX_32)
      throw new ZipLimitError(`the part ${entry.name.toString()}`);
    entry.crc = crc32(data, entry.crc);
    entry.size += data.length;
    if (!deflate.write(data)) await Promise.race([once(deflate, 'drain'), current.pumped]);
  }

  async endEntry(): Promise<void> {
    const current = this.current;
    if (!current) throw new Error('no ZIP entry is open');
    current.deflate.end();
    await current.pumped;
    this.current = undefined;
    const { entry } = current;
    const descriptor = Buffer.alloc(16);
    descriptor.writeUInt32LE(0x08074b50, 0);
    descriptor.writeUInt32LE(entry.crc, 4);
    descriptor.writeUInt32LE(entry.compressed, 8);
    descriptor.writeUInt32LE(entry.size, 12);
    await this.emit(descriptor);
    this.entries.push(entry);
  }

  /** Writes a whole entry at once. */
  async addEntry(name: string, data: string | Buffer): Promise<void> {
    await this.startEntry(name);
    await this.write(typeof data === 'string' ? Buffer.from(data) : data);
    await this.endEntry();
  }

  /** Writes the central directory and the end record; the caller ends the stream. */
  async finish(): Promise<void> {
    if (this.current) throw new Error('a ZIP entry is still open');
    const start = this.offset;
    const records = this.entries.map((entry) => {
      const record = Buffer.alloc(46);
      record.writeUInt32LE(0x02014b50, 0);
      record.writeUInt16LE(VERSION, 4);
      record.writeUInt16LE(VERSION, 6);
      record.writeUInt16LE(FLAGS, 8);
      record.writeUInt16LE(DEFLATE, 10);
      record.writeUInt16LE(this.stamp.time, 12);
      record.writeUInt16LE(this.stamp.date, 14);
      record.writeUInt32LE(entry.crc, 16);
      record.writeUInt32LE(entry.compressed, 20);
      record.writeUInt32LE(entry.size, 24);
      record.writeUInt16LE(entry.name.length, 28);
      // Extra field, comment, disk number, attributes (30–41): none.
      record.writeUInt32LE(entry.offset, 42);
      return Buffer.concat([record, entry.name]);
    });
    const directory = Buffer.concat(records);
    if (start + directory.length > MAX_32) throw new ZipLimitError('the archive');
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(this.entries.length, 8);
    end.writeUInt16LE(this.entries.length, 10);
    end.writeUInt32LE(directory.length, 12);
    end.writeUInt32LE(start, 16);
    await this.emit(Buffer.concat([directory, end]));
  }

  /** Moves the deflated bytes of one entry to the output, waiting for it to drain. */
  private async pump(entry: Entry, deflate: DeflateRaw): Promise<void> {
    try {
      for await (const chunk of deflate as AsyncIterable<Buffer>) {
        entry.compressed += chunk.length;
        if (entry.compressed > MAX_32) throw new ZipLimitError(`the part ${entry.name.toString()}`);
        await this.emit(chunk);
      }
    } catch (error) {
      deflate.destroy();
      throw error;
    }
  }

  private async emit(chunk: Buffer): Promise<void> {
    if (this.offset + chunk.length > MAX_32) throw new ZipLimitError('the archive');
    this.offset += chunk.length;
    await put(this.out, chunk);
  }
}
