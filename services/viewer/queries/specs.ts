/**
 * The record tables the viewer pages through. Every piece of SQL here is a constant: user input reaches
 * ClickHouse only as typed query parameters ({name:Type}), never as SQL text.
 */
export interface ColumnSpec {
  key: string;
  label: string;
  /** SQL expression for the list (long text is cut by ClickHouse, not shipped whole). */
  sql: string;
  /** How the cell renders: a link to the record's page, a number, a verdict, plain text. */
  kind?: 'link' | 'number' | 'verdict' | 'text';
}

export interface SortSpec {
  key: string;
  label: string;
  sql: string;
  /** ClickHouse type of the cursor parameter. */
  type: string;
}

export interface FilterSpec {
  key: string;
  label: string;
  /** A predicate using the parameter `{f_<key>:<type>}`. */
  sql: string;
  type: 'Int32' | 'Float64' | 'String' | 'Bool';
  /** Distinct values offered in a select box (a constant query over the table); a text box when neither this nor `choices`. */
  options?: string;
  /** Fixed choices (value → label), e.g. a verdict. */
  choices?: Array<[string, string]>;
  /** Filter applied when the URL names none. */
  default?: string;
}

export interface TableSpec {
  kind: string;
  title: string;
  table: string;
  /** A fixed predicate of this kind (e.g. the SFT topic of the trajectories table). */
  where?: string;
  columns: ColumnSpec[];
  sorts: SortSpec[];
  filters: FilterSpec[];
  /** Predicate for text search with parameter {q:String}: inside message contents, case-insensitive. */
  search?: string;
  /** Path of a row's own page. */
  page: 'trajectory' | 'has' | 'record' | 'dlq';
}

const round: FilterSpec = { key: 'round', label: 'Round', sql: 'round = {f_round:Int32}', type: 'Int32', options: 'round' };
const created: SortSpec = { key: 'created', label: 'Created', sql: 'created_at', type: "DateTime64(3, 'UTC')" };
const byId: SortSpec = { key: 'id', label: 'Id', sql: 'id', type: 'String' };
const verdict = (column: string): FilterSpec => ({
  key: 'verdict', label: 'Verdict', sql: `${column} = {f_verdict:Bool}`, type: 'Bool', choices: [['true', 'accepted'], ['false', 'rejected']],
});
/** A select box of the column's distinct values, matched exactly. */
const oneOf = (key: string, label: string, column: string): FilterSpec => ({ key, label, sql: `${column} = {f_${key}:String}`, type: 'String', options: column });
const idColumn: ColumnSpec = { key: 'id', label: 'Id', sql: 'id', kind: 'link' };
const roundColumn: ColumnSpec = { key: 'round', label: 'Round', sql: 'round', kind: 'number' };
const contains = (expr: string) => `positionCaseInsensitiveUTF8(${expr}, {q:String}) > 0`;

const stepText = "concat(tupleElement(s, 'thought'), ' ', ifNull(tupleElement(s, 'tool_call_arguments_json'), ''), ' ', tupleElement(s, 'tool_response'), ' ', ifNull(tupleElement(s, 'answer'), ''))";
const trajectoryColumns: ColumnSpec[] = [
  idColumn,
  roundColumn,
  { key: 'style', label: 'Style', sql: 'question_style' },
  { key: 'question', label: 'Question', sql: 'left(question, 160)' },
  { key: 'verdict', label: 'Verdict', sql: 'judge_correct', kind: 'verdict' },
  { key: 'reward', label: 'Reward', sql: 'reward', kind: 'number' },
  { key: 'tool_calls', label: 'Tool calls', sql: 'tool_call_count', kind: 'number' },
  { key: 'termination', label: 'Termination', sql: 'termination' },
];
const trajectorySorts: SortSpec[] = [
  created,
  { key: 'reward', label: 'Reward', sql: 'reward', type: 'Float64' },
  { key: 'tool_calls', label: 'Tool calls', sql: 'tool_call_count', type: 'Int32' },
  byId,
];
const trajectoryFilters: FilterSpec[] = [
  round,
  oneOf('style', 'Style', 'question_style'),
  verdict('judge_correct'),
  { key: 'min_reward', label: 'Reward at least', sql: 'reward >= {f_min_reward:Float64}', type: 'Float64' },
  oneOf('termination', 'Termination', 'termination'),
];
const trajectorySearch = `(${contains('question')} OR ${contains('prediction')} OR arrayExists(s -> ${contains(stepText)}, steps))`;

export const TABLES: TableSpec[] = [
  {
    kind: 'questions', title: 'Questions', table: 'questions', page: 'record',
    columns: [
      idColumn,
      roundColumn,
      { key: 'style', label: 'Style', sql: 'style' },
      { key: 'difficulty', label: 'Difficulty', sql: 'difficulty', kind: 'number' },
      { key: 'question', label: 'Question', sql: 'left(question, 160)' },
      { key: 'answer', label: 'Answer', sql: 'left(answer, 80)' },
    ],
    sorts: [created, { key: 'difficulty', label: 'Difficulty', sql: 'difficulty', type: 'Int32' }, byId],
    filters: [round, oneOf('style', 'Style', 'style')],
    search: `(${contains('question')} OR ${contains('answer')})`,
  },
  {
    kind: 'trajectories', title: 'Trajectories', table: 'trajectories', page: 'trajectory',
    columns: [...trajectoryColumns, { key: 'topic', label: 'Topic', sql: 'kafka_topic' }],
    sorts: trajectorySorts,
    filters: [
      {
        key: 'topic', label: 'Topic', sql: 'kafka_topic = {f_topic:String}', type: 'String', default: 'fw.rollout.trajectories',
        choices: [['fw.rollout.trajectories', 'rollouts'], ['fw.sft.trajectories', 'SFT'], ['fw.trajectories.discarded', 'discarded']],
      },
      ...trajectoryFilters,
    ],
    search: trajectorySearch,
  },
  {
    kind: 'sft', title: 'SFT samples', table: 'trajectories', where: "kafka_topic = 'fw.sft.trajectories'", page: 'trajectory',
    columns: trajectoryColumns, sorts: trajectorySorts, filters: trajectoryFilters, search: trajectorySearch,
  },
  {
    kind: 'rl_groups', title: 'RL groups', table: 'rl_groups', page: 'record',
    columns: [
      idColumn,
      roundColumn,
      { key: 'style', label: 'Style', sql: 'question_style' },
      { key: 'question', label: 'Question', sql: 'left(question, 160)' },
      { key: 'rollouts', label: 'Rollouts', sql: 'length(trajectory_ids)', kind: 'number' },
      { key: 'pass_count', label: 'Passed', sql: 'pass_count', kind: 'number' },
    ],
    sorts: [created, { key: 'pass_count', label: 'Passed', sql: 'pass_count', type: 'Int32' }, byId],
    filters: [round, oneOf('style', 'Style', 'question_style')],
    search: contains('question'),
  },
  {
    kind: 'has_samples', title: 'HAS samples', table: 'has_samples', page: 'has',
    columns: [
      idColumn,
      roundColumn,
      { key: 'step', label: 'Step', sql: 'step_index', kind: 'number' },
      { key: 'options', label: 'Options', sql: 'length(options)', kind: 'number' },
      { key: 'verdict', label: 'Verdict', sql: 'judgement_correct', kind: 'verdict' },
      { key: 'text', label: 'Text', sql: 'left(text, 160)' },
    ],
    sorts: [created, { key: 'step', label: 'Step', sql: 'step_index', type: 'Int32' }, byId],
    filters: [round, verdict('judgement_correct')],
    search: `(${contains('text')} OR arrayExists(o -> ${contains('o')}, options))`,
  },
  {
    kind: 'cpt_samples', title: 'CPT samples', table: 'cpt_samples', page: 'record',
    columns: [
      idColumn,
      roundColumn,
      { key: 'origin', label: 'Origin', sql: 'origin' },
      { key: 'source_round', label: 'Source round', sql: 'source_round', kind: 'number' },
      { key: 'tokens', label: 'Tokens', sql: 'approx_tokens', kind: 'number' },
      { key: 'text', label: 'Text', sql: 'left(text, 160)' },
    ],
    sorts: [created, { key: 'tokens', label: 'Tokens', sql: 'approx_tokens', type: 'Int32' }, byId],
    filters: [round, oneOf('origin', 'Origin', 'origin')],
    search: contains('text'),
  },
  {
    kind: 'drops', title: 'Drops', table: 'drops', page: 'record',
    columns: [
      idColumn,
      roundColumn,
      { key: 'stage', label: 'Stage', sql: 'stage' },
      { key: 'reason', label: 'Reason', sql: 'reason' },
      { key: 'subject', label: 'Subject', sql: 'subject_id' },
      { key: 'detail', label: 'Detail', sql: 'left(detail, 160)' },
    ],
    sorts: [created, byId],
    filters: [
      round,
      oneOf('stage', 'Stage', 'stage'),
      oneOf('reason', 'Drop reason', 'reason'),
    ],
    search: contains('detail'),
  },
  {
    kind: 'dlq', title: 'Dead letters', table: 'dead_letters', page: 'dlq',
    columns: [
      idColumn,
      { key: 'stage', label: 'Stage', sql: 'stage' },
      { key: 'code', label: 'Error code', sql: 'error_code' },
      { key: 'error', label: 'Error', sql: 'left(error_message, 160)' },
      { key: 'origin', label: 'Original position', sql: "concat(original_topic, '/', toString(original_partition), '@', toString(original_offset))" },
      { key: 'attempts', label: 'Attempts', sql: 'attempts', kind: 'number' },
    ],
    sorts: [{ key: 'failed', label: 'Failed at', sql: 'failed_at', type: "DateTime64(3, 'UTC')" }, byId],
    filters: [
      oneOf('stage', 'Stage', 'stage'),
      oneOf('code', 'Error code', 'error_code'),
    ],
    search: `(${contains('error_message')} OR ${contains("ifNull(original_value, '')")})`,
  },
];

export function tableSpec(kind: string): TableSpec | undefined {
  return TABLES.find((t) => t.kind === kind);
}
