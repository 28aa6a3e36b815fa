import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The repository root (where package.json, schemas/ and deploy/ live). */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const schemasDir = path.join(projectRoot, 'schemas');
export const deployDir = path.join(projectRoot, 'deploy');
