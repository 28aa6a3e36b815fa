import type { Reporter, TestModule } from 'vitest/node';

/** Ends the run with one plain "N passed, N failed, N skipped" line, which CI systems read. */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
      if (module.state() === 'failed' && [...module.children.allTests()].length === 0) failed++;
    }
    // printed at exit so that it is the run's last line, after vitest's own summary
    // a failure after the tests (the leak check's teardown) shows only in the exit code: say so on the line
    process.once('exit', (code) => console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped${code && !failed ? `; run failed (exit code ${code}, see above)` : ''}`));
  }
}
