import type { LlmClient, ToolSpec } from '../../platform/llm/types.ts';
import { parseReply } from './parse-reply.ts';
import { PROMPT_TEMPLATE_HASH } from './prompts.ts';
import type { Decision, Policy, PolicyView, SamplingSettings } from './types.ts';

export interface LlmPolicyOptions {
  client: LlmClient;
  tools: ToolSpec[];
  sampling: SamplingSettings;
  maxTokensPerCall: number;
  modelVersion?: string;
}

/**
 * A model as the policy, through the shared LLM client in OpenAI tool-call format. Native tool_calls are used
 * when the server returns them; otherwise the tag format in the text is parsed. Sampling is not cached (a
 * group needs G different rollouts) but is seeded per rollout, so a replayed question asks the same requests.
 */
export function llmPolicy(options: LlmPolicyOptions): Policy {
  const { client, sampling } = options;
  return {
    model: client.model,
    modelVersion: options.modelVersion ?? '',
    sampling,
    start({ seed }) {
      let turn = 0;
      return {
        async decide(view: PolicyView): Promise<Decision> {
          const response = await client.chat({
            purpose: 'rollout',
            messages: view.messages,
            tools: view.forceAnswer ? undefined : options.tools,
            temperature: sampling.temperature,
            top_p: sampling.top_p,
            repetition_penalty: sampling.repetition_penalty,
            max_tokens: options.maxTokensPerCall,
            stop: ['\n<tool_response>', '<tool_response>'],
            seed: seed + turn++,
            cache: false,
            promptTemplateHash: PROMPT_TEMPLATE_HASH,
            signal: view.signal,
          });
          const parsed = parseReply(response.content);
          const native = response.tool_calls[0];
          const tokens = { inputTokens: response.usage.input_tokens, outputTokens: response.usage.output_tokens, llm: response.usage };
          if (native && parsed.answer === undefined) {
            return { thought: parsed.thought, report: parsed.report, call: { name: native.name, arguments: native.arguments }, ...tokens };
          }
          return { ...parsed, ...tokens };
        },
      };
    },
  };
}
