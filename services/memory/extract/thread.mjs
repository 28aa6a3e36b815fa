// Entry of an extraction thread: TypeScript sources load through tsx here as in the main thread (bin/flywheel.mjs).
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { serveExtractions } = await import('./thread-serve.ts');
serveExtractions(parentPort, workerData);
