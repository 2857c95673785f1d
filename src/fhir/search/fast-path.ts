// Direct evaluation of the simple FHIRPath expressions most search parameters use (paths, unions, ofType, two
// where() forms), typed against the same R4 model as fhirpath.js; anything else is left to fhirpath.js.
// Why: fhirpath.js evaluation was ~0.4 ms per Observation, most of a transaction's CPU time (BENCHMARKS.md).
import r4Model from 'fhirpath/fhir-context/r4/index.js';

const model = r4Model as unknown as {
  choiceTypePaths: Record<string, string[]>;
  pathsDefinedElsewhere: Record<string, string>;
  type2Parent: Record<string, string>;
  path2Type: Record<string, string>;
  path2Repeating: Record<string, boolean>;
};

/**
 * FHIR primitive → System type conversions that `ofType` accepts (FHIRPath "automatic conversion", as implemented
 * in fhirpath.js src/types.js `fhir2SystemAutomaticConversion`): `value.ofType(DateTime)` matches `valueDateTime`.
 */
const SYSTEM_CONVERSION: Record<string, string> = {
  boolean: 'Boolean', string: 'String', uri: 'String', code: 'String', oid: 'String', id: 'String', uuid: 'String', markdown: 'String', base64Binary: 'String',
  integer: 'Integer', unsignedInt: 'Integer', positiveInt: 'Integer', integer64: 'Long', decimal: 'Decimal', date: 'DateTime', dateTime: 'DateTime', instant: 'DateTime',
  time: 'Time', Quantity: 'Quantity',
};

class Unsupported extends Error {}

/** One value reached by an expression, with the model path its children are looked up under. */
interface Item {
  v: unknown;
  t: string;
}

type Step = (items: Item[]) => Item[];

/** A compiled sub-expression: the step and the model paths its results can have (known before any data is seen). */
interface Compiled {
  run: Step;
  types: ReadonlySet<string>;
}

// ---- tokens and syntax (only what the subset needs) ----

type Token = { kind: 'ident' | 'string' | 'punct'; text: string };

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expression.length) {
    const c = expression[i]!;
    if (c === ' ') i++;
    else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(expression.slice(i))![0];
      tokens.push({ kind: 'ident', text: m });
      i += m.length;
    } else if (c === "'") {
      const end = expression.indexOf("'", i + 1);
      const text = expression.slice(i + 1, end);
      if (end < 0 || text.includes('\\')) throw new Unsupported(expression);
      tokens.push({ kind: 'string', text });
      i = end + 1;
    } else if ('.()|='.includes(c)) {
      tokens.push({ kind: 'punct', text: c });
      i++;
    } else throw new Unsupported(`'${c}' in ${expression}`);
  }
  return tokens;
}

type Node =
  | { kind: 'union'; parts: Node[] }
  | { kind: 'root'; type: string }
  | { kind: 'context' }
  | { kind: 'member'; base: Node; name: string }
  | { kind: 'ofType'; base: Node; type: string }
  | { kind: 'whereEquals'; base: Node; name: string; value: string }
  | { kind: 'whereStartsWith'; base: Node; name: string; prefix: string };

function parse(expression: string, rootType: string | undefined): Node {
  const tokens = tokenize(expression);
  let pos = 0;
  const peek = (text?: string) => (tokens[pos] && (text === undefined || tokens[pos]!.text === text) ? tokens[pos] : undefined);
  const expect = (text: string) => {
    if (!peek(text)) throw new Unsupported(expression);
    pos++;
  };
  const ident = () => {
    const t = tokens[pos++];
    if (t?.kind !== 'ident') throw new Unsupported(expression);
    return t.text;
  };
  const string = () => {
    const t = tokens[pos++];
    if (t?.kind !== 'string') throw new Unsupported(expression);
    return t.text;
  };
  function union(): Node {
    const parts = [term()];
    while (peek('|')) {
      pos++;
      parts.push(term());
    }
    return parts.length === 1 ? parts[0]! : { kind: 'union', parts };
  }
  function term(): Node {
    let node: Node;
    if (peek('(')) {
      pos++;
      node = union();
      expect(')');
    } else {
      const name = ident();
      node = rootType !== undefined && name === rootType ? { kind: 'root', type: name } : { kind: 'member', base: { kind: 'context' }, name };
    }
    while (peek('.')) {
      pos++;
      const name = ident();
      if (!peek('(')) {
        node = { kind: 'member', base: node, name };
        continue;
      }
      pos++;
      if (name === 'ofType') node = { kind: 'ofType', base: node, type: ident() };
      else if (name === 'where') {
        const field = ident();
        if (peek('=')) {
          pos++;
          node = { kind: 'whereEquals', base: node, name: field, value: string() };
        } else {
          expect('.');
          if (ident() !== 'startsWith') throw new Unsupported(expression);
          expect('(');
          node = { kind: 'whereStartsWith', base: node, name: field, prefix: string() };
          expect(')');
        }
      } else throw new Unsupported(`${name}() in ${expression}`);
      expect(')');
    }
    return node;
  }
  const node = union();
  if (pos !== tokens.length) throw new Unsupported(expression);
  return node;
}

// ---- the model ----

/** The FHIR type name of a choice suffix (`DateTime` → `dateTime`, `Quantity` → `Quantity`). */
function choiceTypeName(suffix: string): string {
  if (model.type2Parent[suffix]) return suffix;
  const lower = suffix[0]!.toLowerCase() + suffix.slice(1);
  if (model.type2Parent[lower]) return lower;
  throw new Unsupported(`choice type ${suffix}`);
}

/** The type name of a model path (`Observation.component` → BackboneElement, `Quantity` → Quantity). */
function typeNameOf(path: string): string {
  return path.includes('.') ? (model.path2Type[path] ?? '') : path;
}

/** JSON keys of element `name` under model path `t`, each with the model path of what it holds. */
function children(t: string, name: string): { key: string; t: string }[] {
  const path = `${t}.${name}`;
  const choices = model.choiceTypePaths[path];
  if (choices) return choices.map((suffix) => ({ key: `${name}${suffix}`, t: choiceTypeName(suffix) }));
  const defined = model.pathsDefinedElsewhere[path] ?? path;
  const type = model.path2Type[defined];
  if (!type || type.includes('.')) throw new Unsupported(path);
  if (type === 'BackboneElement' || type === 'Element') return [{ key: name, t: defined }];
  const parent = model.type2Parent[type];
  // Resources (contained, Bundle.entry.resource) are typed by their own resourceType: left to fhirpath.js.
  if (!parent || type === 'Resource' || parent === 'DomainResource' || parent === 'Resource') throw new Unsupported(path);
  return [{ key: name, t: type }];
}

function isType(type: string, superType: string): boolean {
  for (let t: string | undefined = type; t; t = model.type2Parent[t]) if (t === superType) return true;
  return false;
}

/** `ofType(T)` on a value of FHIR type `type`, as fhirpath.js decides it (subtypes and automatic conversion). */
function matchesType(type: string, wanted: string): boolean {
  return SYSTEM_CONVERSION[type] === wanted || isType(type, wanted);
}

/** A single primitive element (not a choice, not repeating; FHIR primitive type names are lower case): what where() compares. */
function primitiveKey(types: ReadonlySet<string>, name: string): string {
  for (const t of types) {
    const c = children(t, name);
    const path = `${t}.${name}`;
    if (c.length !== 1 || c[0]!.key !== name || model.path2Repeating[model.pathsDefinedElsewhere[path] ?? path]) throw new Unsupported(path);
    const type = c[0]!.t;
    if (type.includes('.') || type[0] !== type[0]!.toLowerCase()) throw new Unsupported(path);
  }
  return name;
}

// ---- compilation ----

function push(out: Item[], value: unknown, t: string): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    for (const v of value) if (v !== undefined && v !== null) out.push({ v, t });
  } else out.push({ v: value, t });
}

function compile(node: Node, context: ReadonlySet<string>): Compiled {
  switch (node.kind) {
    case 'root':
      return { run: (items) => items.filter((i) => i.t === node.type), types: new Set([node.type]) };
    case 'context':
      return { run: (items) => items, types: context };
    case 'union': {
      const parts = node.parts.map((p) => compile(p, context));
      return { run: (items) => parts.flatMap((p) => p.run(items)), types: new Set(parts.flatMap((p) => [...p.types])) };
    }
    case 'member': {
      const base = compile(node.base, context);
      const table = new Map([...base.types].map((t) => [t, children(t, node.name)] as const));
      return {
        run: (items) => {
          const out: Item[] = [];
          for (const item of base.run(items)) {
            if (typeof item.v !== 'object') continue;
            for (const c of table.get(item.t)!) push(out, (item.v as Record<string, unknown>)[c.key], c.t);
          }
          return out;
        },
        types: new Set([...table.values()].flat().map((c) => c.t)),
      };
    }
    case 'ofType': {
      const base = compile(node.base, context);
      const kept = new Set([...base.types].filter((t) => matchesType(typeNameOf(t), node.type)));
      return { run: (items) => base.run(items).filter((i) => kept.has(i.t)), types: kept };
    }
    case 'whereEquals': {
      const base = compile(node.base, context);
      const key = primitiveKey(base.types, node.name);
      return { run: (items) => base.run(items).filter((i) => (i.v as Record<string, unknown>)[key] === node.value), types: base.types };
    }
    case 'whereStartsWith': {
      const base = compile(node.base, context);
      const key = primitiveKey(base.types, node.name);
      return {
        run: (items) =>
          base.run(items).filter((i) => {
            const v = (i.v as Record<string, unknown>)[key];
            return typeof v === 'string' && v.startsWith(node.prefix);
          }),
        types: base.types,
      };
    }
  }
}

function tryCompile(expression: string, rootType: string | undefined, context: ReadonlySet<string>): Compiled | undefined {
  try {
    return compile(parse(expression, rootType), context);
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
}

/** Values of `expression` on a resource of `resourceType`, or undefined when the expression is outside the subset. */
export function compileFastPath(expression: string, resourceType: string): ((resource: unknown) => unknown[]) | undefined {
  const c = tryCompile(expression, resourceType, new Set([resourceType]));
  if (!c) return undefined;
  return (resource) => c.run([{ v: resource, t: resourceType }]).map((i) => i.v);
}

/**
 * A composite parameter: for each element the base expression reaches, the values of its two components
 * (evaluated relative to that element). Undefined when any of the three expressions is outside the subset.
 */
export function compileFastComposite(expression: string, resourceType: string, components: readonly [string, string]): ((resource: unknown) => [unknown[], unknown[]][]) | undefined {
  const base = tryCompile(expression, resourceType, new Set([resourceType]));
  if (!base) return undefined;
  const first = tryCompile(components[0], undefined, base.types);
  const second = tryCompile(components[1], undefined, base.types);
  if (!first || !second) return undefined;
  return (resource) => base.run([{ v: resource, t: resourceType }]).map((item) => [first.run([item]).map((i) => i.v), second.run([item]).map((i) => i.v)]);
}
