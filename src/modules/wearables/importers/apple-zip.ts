// Apple Health `export.zip`: streams the `apple_health_export/export.xml` entry out of the archive with yauzl.
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { FlauraError } from '../../../errors.ts';

/** The entry holding the export; Apple localizes the file name in some locales, so any top-level XML but the CDA one is accepted. */
function isExportEntry(name: string): boolean {
  return /^apple_health_export\/[^/]+\.xml$/.test(name) && !name.endsWith('export_cda.xml');
}

/** Opens the export XML entry of an Apple Health `export.zip` as a stream (the archive is read lazily, entry by entry). */
export function openAppleHealthZip(path: string, onSize?: (uncompressedBytes: number) => void): Promise<Readable> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: true }, (err, zip) => {
      if (err || !zip) {
        reject(new FlauraError('WEARABLES_BAD_ZIP', 400, `Not a readable zip archive: ${err?.message ?? 'unknown error'}`, { cause: err }));
        return;
      }
      let found = false;
      zip.on('entry', (entry: yauzl.Entry) => {
        if (!isExportEntry(entry.fileName)) {
          zip.readEntry();
          return;
        }
        found = true;
        onSize?.(entry.uncompressedSize);
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) reject(new FlauraError('WEARABLES_BAD_ZIP', 400, `Cannot read ${entry.fileName}: ${e?.message ?? 'unknown error'}`, { cause: e }));
          else resolve(stream);
        });
      });
      zip.on('end', () => {
        if (!found) reject(new FlauraError('WEARABLES_ZIP_NO_EXPORT', 422, 'The archive has no apple_health_export/export.xml entry'));
      });
      zip.on('error', (e: Error) => reject(new FlauraError('WEARABLES_BAD_ZIP', 400, `Corrupt zip archive: ${e.message}`, { cause: e })));
      zip.readEntry();
    });
  });
}
