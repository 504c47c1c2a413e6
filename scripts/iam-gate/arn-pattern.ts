/**
 * Can an ARN pattern of a grant ever match an ARN of a given resource type? Both sides are
 * patterns: the grant has IAM wildcards (`*`, `?`) and the parts CloudFormation resolves only at
 * deploy time; the Service Authorization Reference writes each resource type as a template
 * (`arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}`). The answer is whether
 * the two regular languages intersect, decided on their product automaton.
 */

/** Stands for a deploy-time value that holds no colon (a region, an account id). */
export const UNKNOWN_SEGMENT = '\uE000';
/** Stands for a deploy-time value about which nothing is known (a name, an attribute). */
export const UNKNOWN_ANY = '\uE001';
/**
 * Stands for a deploy-time name that holds neither a colon nor a slash (a Kinesis stream's name:
 * "Pattern: [a-zA-Z0-9_.-]+", Kinesis API Reference). Without it, a stream ARN read from
 * Fn::GetAtt would also match `stream/<name>/consumer/<consumer>:<time>`, a consumer's ARN.
 */
export const UNKNOWN_NAME = '\uE002';

type Token = { k: 'lit'; c: string } | { k: 'one' } | { k: 'star'; colon: boolean; slash?: false };

/** A grant's resource as IAM matches it: `*` spans any characters, colons included; `?` one. */
export function grantTokens(resource: string): Token[] {
  return [...resource].map((c): Token => {
    if (c === '*' || c === UNKNOWN_ANY) return { k: 'star', colon: true };
    if (c === UNKNOWN_SEGMENT) return { k: 'star', colon: false };
    if (c === UNKNOWN_NAME) return { k: 'star', colon: false, slash: false };
    if (c === '?') return { k: 'one' };
    return { k: 'lit', c };
  });
}

const SEGMENT_VARIABLES = new Set(['Partition', 'Region', 'Account']);

/** A SAR ARN template: partition, region and account are one ARN segment; names may hold anything. */
export function templateTokens(template: string): Token[] {
  const tokens: Token[] = [];
  for (const part of template.split(/(\$\{[^}]+\})/)) {
    const variable = /^\$\{([^}]+)\}$/.exec(part)?.[1];
    if (variable) tokens.push({ k: 'star', colon: !SEGMENT_VARIABLES.has(variable) });
    else for (const c of part) tokens.push({ k: 'lit', c });
  }
  return tokens;
}

function accepts(t: Token, c: string): boolean {
  if (t.k === 'lit') return t.c === c;
  if (t.k === 'one') return true;
  return (t.colon || c !== ':') && (t.slash !== false || c !== '/');
}

/** Some character both tokens accept (a literal one's own, else one that is not a colon). */
function sharedChar(a: Token, b: Token): boolean {
  if (a.k === 'lit') return accepts(b, a.c);
  if (b.k === 'lit') return accepts(a, b.c);
  return true;
}

/** True when some string matches both patterns. */
export function intersects(a: Token[], b: Token[]): boolean {
  const seen = new Set<number>();
  const width = b.length + 1;
  const stack: [number, number][] = [[0, 0]];
  while (stack.length > 0) {
    const [i, j] = stack.pop()!;
    const key = i * width + j;
    if (seen.has(key)) continue;
    seen.add(key);
    if (i === a.length && j === b.length) return true;
    const ta = a[i];
    const tb = b[j];
    if (ta?.k === 'star') stack.push([i + 1, j]);
    if (tb?.k === 'star') stack.push([i, j + 1]);
    if (ta && tb && sharedChar(ta, tb)) {
      stack.push([ta.k === 'star' ? i : i + 1, tb.k === 'star' ? j : j + 1]);
    }
  }
  return false;
}

/** A rendered resource for people: the deploy-time parts shown as placeholders. */
export function display(resource: string): string {
  return resource
    .replaceAll(UNKNOWN_SEGMENT, '${deploy-time}')
    .replaceAll(UNKNOWN_ANY, '${unresolved}')
    .replaceAll(UNKNOWN_NAME, '${name}');
}
