// Runs the GraphQL-over-HTTP conformance audit of the `graphql-http` package
// against a running hub and exits non-zero if any check fails.
//
//   npm install --no-save --prefix target/node graphql-http graphql
//   NODE_PATH=target/node/node_modules node scripts/graphql-http-audit.mjs http://127.0.0.1:8080/graphql
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(path.resolve(process.env.NODE_PATH || 'node_modules', 'x.js'));
const { auditServer } = require('graphql-http');

const url = process.argv[2] || 'http://127.0.0.1:8080/graphql';
const results = await auditServer({ url });
const counts = { ok: 0, warn: 0, error: 0 };
for (const r of results) {
  counts[r.status]++;
  if (r.status !== 'ok') console.log(`${r.status.toUpperCase()} ${r.id} ${r.name}: ${r.reason}`);
}
console.log(`graphql-http audit of ${url}:`, counts);
process.exit(counts.error > 0 ? 1 : 0);
