import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExportFormat } from './export-format';

/** File names inside EXPORT_DIR: `<id>.<ext>` when complete, `<id>.<token>.part` while written. */
export function finalName(id: string, format: ExportFormat): string {
  return `${id}.${format}`;
}

/** The integrity files of an export written with `include_integrity`. */
export const INTEGRITY_PARTS = ['digests', 'manifest'] as const;
export type IntegrityPart = (typeof INTEGRITY_PARTS)[number];

export function integrityName(id: string, part: IntegrityPart): string {
  return `${id}.${part}.json`;
}

export function partName(id: string): string {
  return `${id}.${randomBytes(6).toString('hex')}.part`;
}

export async function ensureDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
}

export async function removeQuietly(path: string): Promise<void> {
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

/** Partial files an earlier, killed attempt of this export left behind. */
export async function removeParts(dir: string, id: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(
    names
      .filter((name) => name.startsWith(`${id}.`) && name.endsWith('.part'))
      .map((name) => removeQuietly(join(dir, name))),
  );
}

/** Flushes the file to disk, renames it into place and flushes the directory entry. */
export async function publish(dir: string, part: string, final: string): Promise<void> {
  const file = await open(join(dir, part), 'r+');
  try {
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(join(dir, part), join(dir, final));
  const directory = await open(dir, 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}

/** Removes every file a completed export has: the events file and any integrity files. */
export async function removeExportFiles(
  dir: string,
  record: { file: string | null; digests_file?: string | null; manifest_file?: string | null },
): Promise<void> {
  const files = [record.file, record.digests_file, record.manifest_file];
  for (const file of files) if (file) await removeQuietly(join(dir, file));
}

export function openForDownload(dir: string, file: string) {
  return createReadStream(join(dir, file));
}
