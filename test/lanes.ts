/**
 * Which test files need the Kafka broker. The unit lane (`npm run test:unit`) holds every test that needs
 * none: the tests beside the code, and the files under test/ listed here. Everything else runs in the broker
 * lane. A file belongs here only if no test in it talks to Kafka (test/lanes.test.ts checks the imports;
 * the lane's KAFKA_BROKERS points at a closed port, so a connection attempt fails the test).
 */
export const allTests = ['services/**/*.test.ts', 'scripts/**/*.test.ts', 'test/**/*.test.ts'];

export const unitTests = [
  'services/**/*.test.ts',
  'scripts/**/*.test.ts',
  'test/lanes.test.ts',
  'test/setup/*.test.ts',
  'test/integration/clickhouse.test.ts', // embedded ClickHouse, in process
  'test/integration/llm-client.test.ts', // against the fake OpenAI server
  'test/integration/llm-local.test.ts', // the embedded model (skipped when it is not installed)
  'test/reliability/schema-rollout.test.ts',
  'test/security/deploy-hardening.test.ts',
  'test/security/secrets-in-logs.test.ts',
];
