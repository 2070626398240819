import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Files a SecretRef test resolves from, written under `dir()` (a fresh directory per test). */
export function secretFiles(dir: () => string) {
  /** A file with owner-only permissions (what the `file` source requires). */
  const privateFile = (name: string, text: string, mode = 0o600): string => {
    const path = join(dir(), name);
    writeFileSync(path, text, { mode });
    chmodSync(path, mode);
    return path;
  };
  /** An exec resolver: a node script answering protocol v1 from a JSON map. */
  const execResolver = (values: Record<string, string>): string => {
    const path = join(dir(), 'resolver.mjs');
    writeFileSync(
      path,
      `#!${process.execPath}\nlet input='';process.stdin.on('data',(c)=>input+=c);process.stdin.on('end',()=>{const req=JSON.parse(input);const all=${JSON.stringify(values)};const values={};const errors={};for(const id of req.ids){if(id in all)values[id]=all[id];else errors[id]={code:'NOT_FOUND'};}process.stdout.write(JSON.stringify({protocolVersion:1,values,errors}));});\n`,
      { mode: 0o700 },
    );
    chmodSync(path, 0o700);
    return path;
  };
  return { privateFile, execResolver };
}
