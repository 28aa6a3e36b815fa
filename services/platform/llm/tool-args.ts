import JSON5 from 'json5';
import { LlmOutputError } from './errors.ts';

/**
 * Tool-call arguments as an object, whatever the server sent: an object (some llama.cpp / Ollama builds), a
 * JSON string (the OpenAI protocol), lenient JSON (single quotes, trailing commas — small models), a string
 * wrapped in a code fence, or a JSON string that itself holds a JSON string.
 */
export function parseToolArguments(raw: unknown, toolName: string): Record<string, unknown> {
  if (raw === undefined || raw === null) return {};
  if (isPlainObject(raw)) return raw;
  if (typeof raw !== 'string') throw invalid(toolName, `expected an object or a JSON string, got ${Array.isArray(raw) ? 'an array' : typeof raw}`, raw);
  const text = stripCodeFence(raw.trim());
  if (text === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    try {
      parsed = JSON5.parse(text);
    } catch (error) {
      throw invalid(toolName, `not valid JSON (${(error as Error).message})`, raw);
    }
  }
  if (typeof parsed === 'string') return parseToolArguments(parsed, toolName); // double-encoded
  if (!isPlainObject(parsed)) throw invalid(toolName, `expected a JSON object, got ${Array.isArray(parsed) ? 'an array' : typeof parsed}`, raw);
  return parsed;
}

/** The first JSON object or array in a model's text reply (code fences and chatter around it ignored). */
export function extractJson(text: string): unknown {
  const body = stripCodeFence(text.trim());
  try {
    return JSON.parse(body);
  } catch {
    // fall through: look for the outermost {...} or [...]
  }
  const start = body.search(/[[{]/);
  if (start < 0) throw new SyntaxError('no JSON object in the reply');
  const close = body[start] === '{' ? '}' : ']';
  const end = body.lastIndexOf(close);
  if (end <= start) throw new SyntaxError('unterminated JSON in the reply');
  return JSON5.parse(body.slice(start, end + 1));
}

function stripCodeFence(text: string): string {
  const fenced = /^```[\w-]*\s*\n?([\s\S]*?)\n?```$/.exec(text);
  return fenced ? fenced[1].trim() : text;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(toolName: string, why: string, raw: unknown): LlmOutputError {
  const shown = typeof raw === 'string' ? raw : JSON.stringify(raw);
  return new LlmOutputError(`tool call ${toolName}: arguments ${why}: ${String(shown).slice(0, 200)}`);
}
