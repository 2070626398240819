import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

/**
 * Watches the config file for changes and reports each one (no debounce, no reading: the reload
 * machine decides when and what). The folder is watched, not the file: editors and
 * `writeConfigFile` replace the file by renaming, which a watch on the old inode would miss.
 * Returns the function that stops watching.
 */
export function watchConfigFile(path: string, onChange: () => void, onError: (error: Error) => void): () => void {
  const name = basename(path);
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(path), { persistent: false }, (_event, filename) => {
      if (filename === null || filename.toString() === name) onChange();
    });
    watcher.on('error', onError);
  } catch (error) {
    onError(new Error(`cannot watch ${path}`, { cause: error }));
  }
  return () => watcher?.close();
}
