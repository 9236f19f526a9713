// The reads bench's reference: a bare Express server, in its own process, returning the same
// page of 50 images (read once from the file named on the command line) from memory.
import { readFileSync } from 'node:fs';
import express from 'express';

const page = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const app = express();
app.get('/page', (_req, res) => {
  res.json(page);
});
const server = app.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
