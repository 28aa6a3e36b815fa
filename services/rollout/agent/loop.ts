import { isRetriable } from '../../platform/errors.ts';
import type { LlmUsage, Step } from '../../platform/generated/records.ts';
import { addUsage, type ChatMessage } from '../../platform/llm/types.ts';
import { approxTokens } from '../corpus/text.ts';
import type { Toolbox, ToolOutcome } from '../tools/toolbox.ts';
import type { ToolContext } from '../tools/types.ts';
import { FORCED_ANSWER_INSTRUCTION, iterWorkspace, reactStart } from './prompts.ts';
import type { AgentMode, Decision, PolicySession, SeenObservation } from './types.ts';

export type Termination = 'answered' | 'forced_answer_token_limit' | 'call_budget' | 'time_limit' | 'format_error' | 'error';

export interface AgentBudget {
  /** Policy calls per rollout (the reference's MAX_LLM_CALL_PER_RUN). */
  maxCalls: number;
  /** Context tokens; above it the policy is told to answer now (one last call). */
  maxContextTokens: number;
  timeLimitMs: number;
}

export interface ExecutedCall {
  stepIndex: number;
  name: string;
  arguments: Record<string, unknown>;
  outcome: ToolOutcome;
}

export interface RolloutRun {
  steps: Step[];
  prediction: string;
  termination: Termination;
  calls: ExecutedCall[];
  llm: LlmUsage | null;
  /** Why the run ended in error, when it did. */
  error?: string;
}

export interface AgentRunOptions {
  mode: AgentMode;
  question: string;
  session: PolicySession;
  toolbox: Toolbox;
  toolContext: ToolContext;
  budget: AgentBudget;
  now?: () => number;
}

/**
 * The agent loop for both modes. ReAct keeps the whole history (think → call → observation …); IterResearch
 * rebuilds a compact workspace each round from the question, the evolving report and the last action with its
 * observation, so its context stays about the same size however long the run.
 */
export async function runAgent(options: AgentRunOptions): Promise<RolloutRun> {
  const { mode, question, session, toolbox, budget } = options;
  const now = options.now ?? Date.now;
  const started = now();
  const steps: Step[] = [];
  const calls: ExecutedCall[] = [];
  const history: ChatMessage[] = reactStart(question, toolbox.specs);
  const seen: SeenObservation[] = [];
  let report = '';
  let llm: LlmUsage | null = null;
  const end = (termination: Termination, prediction = '', error?: string): RolloutRun => ({ steps, prediction, termination, calls, llm, error });

  for (let policyCalls = 0; ; policyCalls++) {
    if (now() - started > budget.timeLimitMs) return end('time_limit');
    if (policyCalls >= budget.maxCalls) return end('call_budget');
    const last = seen[seen.length - 1];
    let messages = mode === 'react' ? history : iterWorkspace(question, toolbox.specs, report, last);
    const forceAnswer = messages.reduce((n, m) => n + approxTokens(m.content), 0) > budget.maxContextTokens;
    if (forceAnswer) messages = [...messages, { role: 'user', content: FORCED_ANSWER_INSTRUCTION }];

    let decision: Decision;
    try {
      decision = await session.decide({
        mode,
        question,
        messages,
        report,
        observations: mode === 'react' ? seen : last ? [last] : [],
        forceAnswer,
        stepIndex: steps.length,
        signal: options.toolContext.signal,
      });
    } catch (error) {
      if (isRetriable(error) || options.toolContext.signal?.aborted) throw error; // the runtime retries the whole question
      return end('error', '', error instanceof Error ? error.message : String(error));
    }
    if (decision.llm) llm = addUsage(llm, decision.llm);
    if (decision.report !== undefined) report = decision.report;
    const step: Step = {
      index: steps.length,
      thought: decision.thought,
      report: mode === 'iterresearch' ? report : '',
      tool_call: null,
      tool_response: '',
      answer: null,
      input_tokens: decision.inputTokens,
      output_tokens: decision.outputTokens,
    };
    steps.push(step);

    if (decision.answer !== undefined) {
      step.answer = decision.answer;
      return end(forceAnswer ? 'forced_answer_token_limit' : 'answered', decision.answer);
    }
    if (forceAnswer || !decision.call) return end('format_error', '', decision.malformed ?? 'no answer when one was required');

    const call = decision.call;
    const outcome = await toolbox.call(call.name, call.arguments, options.toolContext);
    step.tool_call = { name: call.name, arguments_json: JSON.stringify(call.arguments) };
    step.tool_response = outcome.response;
    calls.push({ stepIndex: step.index, name: call.name, arguments: call.arguments, outcome });
    seen.push({ ...call, response: outcome.response });
    if (mode === 'react') {
      const id = `call_${step.index}`;
      history.push({ role: 'assistant', content: decision.thought, tool_calls: [{ id, name: call.name, arguments: call.arguments }] });
      history.push({ role: 'tool', tool_call_id: id, name: call.name, content: outcome.response });
    }
  }
}
