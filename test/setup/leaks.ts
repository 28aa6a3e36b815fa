import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadPlatformConfig } from '../../services/platform/config.ts';
import { projectRoot } from '../../services/platform/paths.ts';
import { LocalKafka } from '../../services/platform/stack/kafka-local.ts';
import { RUN_MARKER } from './run-marker.ts';
import { findSurvivors, killSurvivors } from './survivors.ts';

/**
 * vitest global setup for every run: gives the run a folder and a marker that test children inherit
 * (test/setup/children.ts); its teardown fails the run if any process the tests started is still alive,
 * naming each one, after killing it. The shared broker that test/setup/stack.ts started is not counted.
 */
export default function setup(): () => Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-run-'));
  fs.mkdirSync(path.join(dir, 'children'));
  process.env[RUN_MARKER] = dir;

  return async () => {
    const survivors = findSurvivors(dir, { root: projectRoot, ignore: sharedBrokerPid() });
    delete process.env[RUN_MARKER];
    fs.rmSync(dir, { recursive: true, force: true });
    if (survivors.length === 0) return;
    killSurvivors(survivors);
    const list = survivors.map((s) => `  pid ${s.pid}: ${s.command.slice(0, 300)}\n    (${s.why})`).join('\n');
    // an exit code and a message rather than a throw: vitest then ends as usual, and the summary line still prints
    console.error(`\nFAIL leak check: ${survivors.length} process(es) started by the tests outlived them (now killed with SIGKILL):\n${list}\n`);
    process.exitCode = 1;
  };
}

function sharedBrokerPid(): number[] {
  if (process.env.KAFKA_BROKERS) return [];
  const pid = new LocalKafka({ home: loadPlatformConfig().FLYWHEEL_HOME }).pid();
  return pid ? [pid] : [];
}
