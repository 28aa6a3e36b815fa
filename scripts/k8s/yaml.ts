/**
 * A small YAML writer for the manifests gen-k8s renders: maps, lists, scalars and block literals for
 * multi-line text. Strings that YAML could read as something else (numbers, booleans, null, special
 * characters) are double-quoted, so what is written is always read back as written.
 */
type Value = string | number | boolean | null | undefined | Value[] | { [key: string]: Value };

const PLAIN = /^[A-Za-z_/][\w./-]*( [\w./-]+)*$/;
const AMBIGUOUS = /^(true|false|yes|no|on|off|y|n|null|~|[-+]?(\d[\d_]*(\.\d*)?|\.\d+)([eE][-+]?\d+)?|0x[0-9a-f]+|0o[0-7]+|\.inf|\.nan)$/i;

function scalar(value: string | number | boolean | null): string {
  if (value === null) return 'null';
  if (typeof value !== 'string') return String(value);
  return PLAIN.test(value) && !AMBIGUOUS.test(value) ? value : JSON.stringify(value);
}

function key(name: string): string {
  return PLAIN.test(name) && !AMBIGUOUS.test(name) ? name : JSON.stringify(name);
}

function isBlock(value: Value): value is string {
  return typeof value === 'string' && value.includes('\n');
}

function blockLiteral(text: string, indent: string): string {
  const chomp = text.endsWith('\n') ? (text.endsWith('\n\n') ? '|+' : '|') : '|-';
  const body = text.replace(/\n+$/, '').split('\n').map((line) => (line ? indent + line : '')).join('\n');
  // a first line that starts with a space needs an explicit indentation indicator
  const indicator = /^[ \t]/.test(text) ? '2' : '';
  return `${chomp}${indicator}\n${body}`;
}

function emptyOrScalar(value: Value): string | undefined {
  if (Array.isArray(value)) return value.length === 0 ? '[]' : undefined;
  if (value && typeof value === 'object') return Object.keys(value).length === 0 ? '{}' : undefined;
  return undefined;
}

function render(value: Value, indent: string): string {
  if (Array.isArray(value)) {
    return value
      .map((item) => {
        const inline = emptyOrScalar(item);
        if (inline) return `${indent}- ${inline}`;
        if (item && typeof item === 'object') {
          const inner = render(item, `${indent}  `);
          return `${indent}- ${inner.slice(indent.length + 2)}`;
        }
        if (isBlock(item)) return `${indent}- ${blockLiteral(item, `${indent}  `)}`;
        return `${indent}- ${scalar(item as string | number | boolean | null)}`;
      })
      .join('\n');
  }
  if (value && typeof value === 'object') {
    return Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => {
        const inline = emptyOrScalar(v);
        if (inline) return `${indent}${key(k)}: ${inline}`;
        if (Array.isArray(v)) return `${indent}${key(k)}:\n${render(v, indent)}`;
        if (v && typeof v === 'object') return `${indent}${key(k)}:\n${render(v, `${indent}  `)}`;
        if (isBlock(v)) return `${indent}${key(k)}: ${blockLiteral(v, `${indent}  `)}`;
        return `${indent}${key(k)}: ${scalar(v as string | number | boolean | null)}`;
      })
      .join('\n');
  }
  return indent + scalar(value as string | number | boolean | null);
}

export type YamlValue = Value;

/** Renders one or more documents, separated by `---`, with a leading comment. */
export function toYaml(documents: Value[], header = ''): string {
  const comment = header ? header.split('\n').map((l) => `# ${l}`.trimEnd()).join('\n') + '\n' : '';
  return comment + documents.map((d) => render(d, '')).join('\n---\n') + '\n';
}
