import type { RawDocument } from '../../platform/generated/records.ts';

/** What a reader found: the fields of a fw.RawDocument that come from the source. */
export type RawInput = Pick<RawDocument, 'source_kind' | 'source_uri' | 'url' | 'title' | 'content_type' | 'body'>;

/** A problem with one part of an input (a malformed line, an unreadable record): reported, then reading goes on. */
export interface InputError {
  file: string;
  /** 1-based line, when the format has lines. */
  line?: number;
  message: string;
}

export type ReadItem =
  | { kind: 'doc'; doc: RawInput }
  | { kind: 'error'; error: InputError }
  | { kind: 'skip'; reason: string }
  /** Bytes of the file consumed so far (drives progress and ETA). */
  | { kind: 'progress'; bytes: number };

export type Reader = (file: string, displayName: string) => AsyncGenerator<ReadItem>;

export function describeError(error: InputError): string {
  return `${error.file}${error.line ? `:${error.line}` : ''}: ${error.message}`;
}
