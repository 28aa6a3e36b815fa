/** The public face of the LLM client: stages import from here (or only types.ts for the contract). */
export * from './types.ts';
export { createLlmClient, createLlmClientFromEnv, sharedGovernor, type FlywheelLlmClient, type LlmClientDeps, type LlmClientOptions } from './client.ts';
export { loadLlmClientConfig, llmMode, purposeKey, type LlmClientConfig } from './config.ts';
export { LlmOutputError, LlmRequestError, LlmTruncatedError } from './errors.ts';
export { maxJsonChars, maxTokensFor, unboundedPaths } from './schema-budget.ts';
export { LlmGovernor } from './governor.ts';
export { PriceBook, type PriceTable } from './pricing.ts';
export { parseToolArguments } from './tool-args.ts';
