import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../services/platform/paths.ts';
import { documents } from '../fixtures/documents.ts';
import { evictMembers } from '../reliability/harness.ts';
import { spawnChild, stopChild } from '../setup/children.ts';
import { TestEnv } from '../support.ts';

const runner = path.join(projectRoot, 'test/fixtures/run-stage.ts');
const started: ChildProcess[] = [];

/**
 * The stage runs as a child process so that SIGKILL hits it mid-transaction, as a crashed pod would be. It is
 * node itself with tsx's loader (`--import tsx`), not the `tsx` command: that is a wrapper process which runs
 * the script in a child of its own, so SIGKILL would stop the wrapper and leave the stage running.
 */
function startChild(env: TestEnv): ChildProcess {
  const child = spawnChild(process.execPath, ['--import', 'tsx', runner, 'slowCopyStage'], {
    cwd: projectRoot,
    env: { ...env.env, SLOW_COPY_DELAY_MS: '4', STAGE_MAX_BATCH: '40', STAGE_CONCURRENCY: '4', LOG_LEVEL: 'error' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  started.push(child);
  return child;
}

async function outputHighWatermark(env: TestEnv): Promise<number> {
  const admin = env.kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(env.topic('fw.cpt.samples'));
    return offsets.reduce((s, o) => s + Number(o.high), 0);
  } finally {
    await admin.disconnect();
  }
}

describe('exactly-once from topic to topic', () => {
  const env = new TestEnv();
  beforeAll(() => env.createTopics());
  afterAll(async () => {
    // whatever happened in the test, no stage outlives it
    await Promise.all(started.map((child) => stopChild(child, 'SIGKILL')));
    await env.cleanup();
  });

  it('SIGKILL in the middle of batches, then restart: every input is in the output exactly once', async () => {
    const groupId = `${env.prefix}fw.test-slow-copy`;
    const inputs = documents(1200, { prefix: 'eos' });
    await env.produce('fw.docs', inputs);

    let kills = 0;
    for (let round = 0; round < 3; round++) {
      const child = startChild(env);
      const before = await outputHighWatermark(env);
      // wait until this incarnation has written something (an open or committed transaction), then kill it
      for (let i = 0; i < 600 && (await outputHighWatermark(env)) <= before; i++) await sleep(100);
      await sleep(150 + round * 120);
      await stopChild(child, 'SIGKILL');
      kills++;
      // as the coordinator would once the session expires; the next incarnation need not wait for it
      await evictMembers(env.kafka, groupId);
    }
    const survivor = startChild(env);
    try {
      await env.drain([{ groupId, inputs: ['fw.docs'] }], 180_000);
    } finally {
      await stopChild(survivor, 'SIGTERM');
    }

    // aborted transactions did leave records in the log: read_uncommitted would see duplicates
    const written = await outputHighWatermark(env);
    const outputs = await env.read('fw.cpt.samples');
    const parents = outputs.map((o) => o.parent_ids[0]);
    expect(kills).toBe(3);
    expect(new Set(parents).size).toBe(parents.length); // no duplicates
    expect(new Set(parents)).toEqual(new Set(inputs.map((d) => d.id))); // nothing lost
    expect(written).toBeGreaterThan(outputs.length); // the kills really interrupted open transactions
  });
});
