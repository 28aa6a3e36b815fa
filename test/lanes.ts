/**
 * Which test files need the Kafka broker. The unit lane (`npm run test:unit`) holds every test that needs
 * none: the tests beside the code (but those listed as needing the broker) and the files under test/ listed
 * here. The broker lane holds the rest. test/lanes.test.ts checks that every file is in exactly one lane and
 * that the imports agree; the unit lane's KAFKA_BROKERS points at a closed port, so a connection attempt fails.
 */
export interface Lane {
  include: string[];
  exclude: string[];
}

/** Tests beside the code that talk to the broker all the same. */
const brokerBesideCode = ['services/platform/kafka/stable-offsets.test.ts'];

/** Tests under test/ that need no broker. */
const unitUnderTest = [
  'test/lanes.test.ts',
  'test/boundaries.test.ts', // reads the sources
  'test/setup/*.test.ts',
  'test/integration/clickhouse.test.ts', // embedded ClickHouse, in process
  'test/integration/llm-client.test.ts', // against the fake OpenAI server
  'test/integration/llm-local.test.ts', // the embedded model (skipped when it is not installed)
  'test/llm-schemas.test.ts', // the strategies' schemas, no I/O
  'test/reliability/schema-rollout.test.ts',
  'test/security/deploy-hardening.test.ts',
  'test/security/secrets-in-logs.test.ts',
];

export const unitLane: Lane = { include: ['services/**/*.test.ts', 'scripts/**/*.test.ts', ...unitUnderTest], exclude: brokerBesideCode };

/** The fault scenarios on a private three-broker cluster: `npm run test:cluster` (vitest.cluster.config.ts), not `npm test`. */
export const clusterLane: Lane = { include: ['test/cluster/**/*.test.ts'], exclude: [] };

export const brokerLane: Lane = { include: ['test/**/*.test.ts', ...brokerBesideCode], exclude: [...unitUnderTest, ...clusterLane.include] };
