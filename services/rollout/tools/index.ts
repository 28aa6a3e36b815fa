import type { RolloutConfig } from '../config.ts';
import type { Corpus } from '../corpus/corpus.ts';
import { parseFileTool } from './parse-file.ts';
import { pythonTool } from './python.ts';
import { corpusBackend, scholarTool, searchTool, type SearchBackend } from './search.ts';
import { httpSearchBackend } from './search-http.ts';
import { Toolbox } from './toolbox.ts';
import { visitTool } from './visit.ts';

/** The five tools of the reference agent, configured from the environment. */
export function buildToolbox(config: RolloutConfig, corpus: Corpus): Toolbox {
  const external: SearchBackend | undefined =
    config.SEARCH_BACKEND === 'http' && config.SEARCH_API_URL
      ? httpSearchBackend({ urlTemplate: config.SEARCH_API_URL, apiKey: config.SEARCH_API_KEY, apiKeyHeader: config.SEARCH_API_KEY_HEADER })
      : undefined;
  return new Toolbox([
    searchTool(external ?? corpusBackend(corpus), { limit: config.SEARCH_RESULTS }),
    visitTool(corpus, { liveWeb: config.VISIT_LIVE_WEB, llmSummary: config.VISIT_LLM_SUMMARY }),
    pythonTool({ python: config.PYTHON_BIN, timeoutMs: config.PYTHON_TIMEOUT_MS, memoryMb: config.PYTHON_MEMORY_MB, isolation: config.PYTHON_ISOLATION }),
    scholarTool(corpusBackend(corpus, { papersOnly: true }), { limit: config.SEARCH_RESULTS }),
    parseFileTool({ root: config.ROLLOUT_FILES_DIR }),
  ]);
}
