/**
 * PHP's nested form names, as `$_GET` / `$_POST` build them, from decoded
 * name/value pairs:
 *
 *     a=1                  { a: '1' }
 *     a[x]=1&a[y]=2        { a: { x: '1', y: '2' } }
 *     a[]=1&a[]=2          { a: ['1', '2'] }
 *     a[x][]=1&a[x][]=2    { a: { x: ['1', '2'] } }
 *     a[]=1&a[k]=2         { a: { 0: '1', k: '2' } }   (a named key makes a map)
 *
 * As in PHP: the last value of a name wins; text after a closing bracket
 * that does not open another is ignored (`a[x]y` is `a[x]`); a name nested
 * deeper than `fieldNesting.maxDepth` is dropped (PHP's
 * `max_input_nesting_level`). Unlike PHP, a name with an unclosed bracket
 * is kept whole (`a[b` stays `a[b`) and dots and spaces are not changed to
 * underscores. Every map is prototype-free, so `__proto__` is just a name.
 */

/** A field after nesting: a value, a list of fields, or a map of them. */
export type NestedField<Value> =
  | Value
  | NestedField<Value>[]
  | { [key: string]: NestedField<Value> };

/** A form field's value: a string, or lists and maps of them. */
export type FieldValue = NestedField<string>;

/** Bounds of the nesting; the number of pairs is bounded before they arrive here. */
export const fieldNesting = {
  /** Brackets one name may nest (`a[1][2]` is 2); a deeper name is dropped. PHP's default: 64. */
  maxDepth: 64,
};

/** A map or list being built; lists are maps whose keys all came from `[]`. */
class Branch<Value> {
  readonly children = new Map<string, Branch<Value> | Value>();
  /** The key the next `[]` gets: one past the largest integer key so far, as in PHP. */
  nextIndex = 0;
  appendedOnly = true;

  key(segment: string): string {
    if (segment === '') return String(this.nextIndex++);
    this.appendedOnly = false;
    if (/^(?:0|[1-9]\d{0,14})$/.test(segment)) {
      this.nextIndex = Math.max(this.nextIndex, Number(segment) + 1);
    }
    return segment;
  }

  child(key: string): Branch<Value> {
    const existing = this.children.get(key);
    if (existing instanceof Branch) return existing;
    // A value under this name is replaced by the map, as PHP does.
    const branch = new Branch<Value>();
    this.children.set(key, branch);
    return branch;
  }
}

/** `a[x][]` into `['a', 'x', '']`; `null` when the name does not nest (no `[`, or one unclosed). */
function splitName(name: string): string[] | null {
  const open = name.indexOf('[');
  if (open <= 0) return null;
  const path = [name.slice(0, open)];
  let at = open;
  while (name[at] === '[') {
    const close = name.indexOf(']', at + 1);
    if (close === -1) return path.length === 1 ? null : path;
    path.push(name.slice(at + 1, close));
    at = close + 1;
  }
  return path;
}

/** Builds the nested fields from decoded pairs, in order. */
export function nestFields<Value>(
  pairs: Iterable<readonly [name: string, value: Value]>,
  maxDepth = fieldNesting.maxDepth,
): Record<string, NestedField<Value>> {
  const root = new Branch<Value>();
  for (const [name, value] of pairs) {
    const path = splitName(name);
    if (path === null) {
      root.children.set(name, value);
      continue;
    }
    if (path.length - 1 > maxDepth) continue;
    let branch = root;
    for (let i = 0; i < path.length - 1; i++) {
      branch = branch.child(branch.key(path[i] as string));
    }
    branch.children.set(branch.key(path[path.length - 1] as string), value);
  }
  return toMap(root);
}

function toMap<Value>(branch: Branch<Value>): Record<string, NestedField<Value>> {
  const map: Record<string, NestedField<Value>> = Object.create(null);
  for (const [key, child] of branch.children) map[key] = finish(child);
  return map;
}

function finish<Value>(node: Branch<Value> | Value): NestedField<Value> {
  if (!(node instanceof Branch)) return node;
  if (node.appendedOnly) return Array.from(node.children.values(), finish);
  return toMap(node);
}
