import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildProtocolSchema } from './schema.js';

// `npm run protocol:gen`: writes protocol/protocol.schema.json next to the sources.
const target = fileURLToPath(new URL('../../protocol/protocol.schema.json', import.meta.url));
writeFileSync(target, `${JSON.stringify(buildProtocolSchema(), null, 2)}\n`);
process.stdout.write(`wrote ${target}\n`);
