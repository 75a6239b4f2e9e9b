/**
 * Which ONNX operators a model may use, checked on its bytes before the model is stored or run.
 *
 * The engine runs models in one WASM thread in the offscreen document, and a run cannot be
 * interrupted: a model that never finishes (a `Loop` with a trip count of 2e9 is 441 bytes)
 * holds every badge, bulk scoring and re-tiering until the browser restarts. So each node must
 * be an operator listed below, whose work follows from the sizes of its inputs; control flow
 * (`Loop`, `Scan`, `If`), any node carrying a graph of its own, functions defined in the model
 * and every other operator are refused. A tree ensemble is the one listed operator whose work
 * also depends on the values: each row walks one path per tree, at most as long as the tree.
 *
 * Sizes must not come from a lead's values either. A few listed operators read a size from an
 * input tensor (`SHAPE_INPUTS`: a slice's ends, a reshape's shape, the axes of a reduction):
 * each such input must be a constant of the model, an initializer or a `Constant` node's output.
 * Otherwise 1.4 kB of listed nodes added to the bundled model can slice a length out of one
 * lead's annual revenue and multiply matrices that long, adding 0 × the result to its
 * contributions: it passed the check, yet a batch of 1,000 leads that scored in 1 ms took 34 s
 * with one revenue of 4242, and more multiplications take hours. With constants there, every
 * size a run works with follows from the size of its batch, never from the values of its leads.
 *
 * The bytes are read as ONNX Runtime's protobuf parser reads them, not with onnx-proto's
 * `ModelProto.decode`: that keeps only the last of several `graph` fields where ONNX Runtime
 * merges them, and ignores wire types, so a `Loop` model followed by an empty second graph
 * (2 bytes) would look like a model without nodes. Only the fields that lead to nodes, their
 * inputs and outputs, and the names of the graph's inputs and initializers are read, each
 * occurrence of them, and any of them not laid out as ONNX lays it out is refused.
 */

/**
 * The default domain ("" or "ai.onnx"): what additive models, scorecards and linear models
 * compute with. Left out on purpose: operators whose output size is read from a tensor's values
 * (Expand, Tile, ConstantOfShape, Range, Pad, Resize, OneHot), so a few bytes can ask for
 * gigabytes; random ones (scores must be repeatable); sequences, strings, convolutions and
 * recurrent networks, which no scoring model over one row of features needs.
 */
const DEFAULT_DOMAIN_OPERATORS = [
  // Element-wise arithmetic: points, intercepts, calibration.
  'Add', 'Sub', 'Mul', 'Div', 'Neg', 'Abs', 'Exp', 'Log', 'Sqrt', 'Pow', 'Reciprocal', 'Sigmoid', 'Tanh', 'Softmax',
  'Clip', 'Min', 'Max', 'Sum', 'Floor', 'Ceil', 'Round',
  // Comparisons and missing values: binning a value, imputing a missing one.
  'Equal', 'Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual', 'Not', 'And', 'Or', 'Where', 'IsNaN', 'IsInf',
  // Linear models.
  'MatMul', 'Gemm',
  // Summing terms, picking columns and lookup tables.
  'ReduceSum', 'ReduceMean', 'ReduceMax', 'ReduceMin', 'ArgMax', 'Gather', 'GatherElements', 'Slice', 'Split', 'Concat',
  // Moving values between shapes and types.
  'Identity', 'Cast', 'Constant', 'Shape', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Transpose',
];

/**
 * `ai.onnx.ml`: tree ensembles (LeadLens models, and gradient-boosted trees from other trainers)
 * and the linear models and preprocessing that scikit-learn pipelines export. ZipMap is left
 * out: its outputs cannot be read in the browser.
 */
const ML_DOMAIN_OPERATORS = [
  'TreeEnsembleRegressor', 'TreeEnsembleClassifier', 'TreeEnsemble',
  'LinearRegressor', 'LinearClassifier', 'Imputer', 'Scaler', 'Normalizer', 'ArrayFeatureExtractor',
];

/** Allowed operator types by domain. */
const ALLOWED_OPERATORS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['', new Set(DEFAULT_DOMAIN_OPERATORS)],
  ['ai.onnx', new Set(DEFAULT_DOMAIN_OPERATORS)],
  ['ai.onnx.ml', new Set(ML_DOMAIN_OPERATORS)],
]);

/** The one input the engine feeds a model: rows [N, F] of features, in manifest order; its other graph inputs keep their initializers' values. */
export const MODEL_INPUT = 'features';

/** Bytes that are no ONNX model, as the admin is told wherever they are read. */
export const NOT_ONNX = 'model.onnx is not an ONNX model (or is damaged)';
const ALLOWED_RULE =
  'A model may use arithmetic, comparisons, linear models and tree ensembles, not loops, branches or other operators: one that never finished would stop all scoring.';
const CONSTANT_SIZES_RULE =
  'The shapes, slices and axes a model works with must be written in it as constants: sizes that depend on a lead’s values could make one lead’s scoring take hours and stop all scoring.';

/**
 * The listed operators' inputs that set the size of an output, by position from 1 (0 is the data),
 * as the refusal names them: ONNX reads them from tensors since opset 10 (Slice), 13 (Split,
 * Squeeze, Unsqueeze, ReduceSum) or 18 (the other reductions). Not among them: the indices of
 * Gather, GatherElements and ArrayFeatureExtractor (their shape sets the output's, their values
 * only pick entries) and Clip's bounds (one number each).
 */
const SHAPE_INPUTS: ReadonlyMap<string, readonly string[]> = new Map([
  ['Reshape', ['shape']],
  ['Slice', ['starts', 'ends', 'axes', 'steps']],
  ['Split', ['split sizes']],
  ['Squeeze', ['axes']],
  ['Unsqueeze', ['axes']],
  ['ReduceSum', ['axes']],
  ['ReduceMean', ['axes']],
  ['ReduceMax', ['axes']],
  ['ReduceMin', ['axes']],
]);

/** Why the model is refused: thrown while reading it, returned by `operatorRefusal`. */
class Refusal extends Error {}

/** Protobuf field numbers (onnx.proto) on the way from the model to its nodes and the names they read. */
const MODEL_GRAPH = 7;
const MODEL_FUNCTIONS = 25;
const GRAPH_NODE = 1;
const GRAPH_INITIALIZER = 5;
const NODE_INPUT = 1;
const NODE_OUTPUT = 2;
const NODE_OP_TYPE = 4;
const NODE_ATTRIBUTE = 5;
const NODE_DOMAIN = 7;
const ATTRIBUTE_GRAPH = 6;
const ATTRIBUTE_GRAPHS = 11;
const TENSOR_NAME = 8;

const LENGTH_DELIMITED = 2;

interface Field {
  number: number;
  wireType: number;
  /** The contents of a length-delimited field (a message, a string); empty for the others. */
  bytes: Uint8Array;
}

/** The fields of one protobuf message, in order. Throws on bytes that are not one. */
function* fieldsOf(message: Uint8Array): Generator<Field> {
  let pos = 0;
  const varint = (): number => {
    let value = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      if (pos >= message.length) throw new Refusal(NOT_ONNX);
      const byte = message[pos++];
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
    throw new Refusal(NOT_ONNX);
  };
  const take = (length: number): Uint8Array => {
    if (length > message.length - pos) throw new Refusal(NOT_ONNX);
    pos += length;
    return message.subarray(pos - length, pos);
  };
  while (pos < message.length) {
    const key = varint();
    // Keys are 32 bits and field 0 does not exist; groups (3, 4) are not used by ONNX; 6, 7 do not exist.
    if (key > 0xffffffff || key < 8) throw new Refusal(NOT_ONNX);
    const number = Math.floor(key / 8);
    const wireType = key % 8;
    if (wireType === 0) varint();
    else if (wireType === 1) take(8);
    else if (wireType === 5) take(4);
    else if (wireType !== LENGTH_DELIMITED) throw new Refusal(NOT_ONNX);
    yield { number, wireType, bytes: wireType === LENGTH_DELIMITED ? take(varint()) : new Uint8Array() };
  }
}

/** The occurrences of field `number`, which must be length-delimited wherever it occurs. */
function* occurrences(message: Uint8Array, number: number): Generator<Uint8Array> {
  for (const field of fieldsOf(message)) {
    if (field.number !== number) continue;
    if (field.wireType !== LENGTH_DELIMITED) throw new Refusal(NOT_ONNX);
    yield field.bytes;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The values of a repeated string field, in order. */
function strings(message: Uint8Array, number: number): string[] {
  return Array.from(occurrences(message, number), (bytes) => {
    try {
      return utf8.decode(bytes);
    } catch {
      throw new Refusal(NOT_ONNX);
    }
  });
}

/** A string field's value: the last occurrence wins, as in protobuf. */
function lastString(message: Uint8Array, number: number): string {
  return strings(message, number).at(-1) ?? '';
}

/** The operator a node runs, as its error message names it (cut short: the file chose the text). */
function operatorName(opType: string, domain: string): string {
  const name = `"${opType.slice(0, 100)}"`;
  return domain === '' || domain === 'ai.onnx' ? name : `${name} (domain ${domain.slice(0, 100)})`;
}

/**
 * Why LeadLens refuses to store or run `onnx`, or null: the first operator that is not allowed
 * (or that carries a graph), else the first size read from a tensor that is not a constant, or
 * that the bytes are not an ONNX model.
 */
export function operatorRefusal(onnx: Uint8Array): string | null {
  try {
    assertAllowedOperators(onnx);
    return null;
  } catch (error) {
    if (error instanceof Refusal) return error.message;
    throw error;
  }
}

function assertAllowedOperators(onnx: Uint8Array): void {
  if (!occurrences(onnx, MODEL_FUNCTIONS).next().done) {
    throw new Refusal(`model.onnx defines operators of its own (ONNX functions), which LeadLens does not run. ${ALLOWED_RULE}`);
  }
  // ONNX Runtime merges several graph fields into one graph, so names are gathered from all of them.
  const constants = new Set<string>(); // initializers and Constant nodes' outputs
  // The input the engine feeds, and other nodes' outputs. Another graph input keeps its initializer's value (older
  // exporters list every initializer among the inputs), or has none and is no constant either.
  const computed = new Set<string>([MODEL_INPUT]);
  const sizeInputs: { operator: string; inputs: string[]; roles: readonly string[] }[] = [];
  let graphs = 0;
  for (const graph of occurrences(onnx, MODEL_GRAPH)) {
    graphs++;
    for (const tensor of occurrences(graph, GRAPH_INITIALIZER)) constants.add(lastString(tensor, TENSOR_NAME));
    for (const node of occurrences(graph, GRAPH_NODE)) {
      const opType = lastString(node, NODE_OP_TYPE);
      const domain = lastString(node, NODE_DOMAIN);
      const operator = operatorName(opType, domain);
      if (!ALLOWED_OPERATORS.get(domain)?.has(opType)) {
        throw new Refusal(`model.onnx uses the operator ${operator}, which LeadLens does not run. ${ALLOWED_RULE}`);
      }
      for (const attribute of occurrences(node, NODE_ATTRIBUTE)) {
        if ([...fieldsOf(attribute)].some((field) => field.number === ATTRIBUTE_GRAPH || field.number === ATTRIBUTE_GRAPHS)) {
          throw new Refusal(`model.onnx gives the operator ${operator} a graph to run inside it, which LeadLens does not allow. ${ALLOWED_RULE}`);
        }
      }
      // Allowed, so Constant and the operators of SHAPE_INPUTS are the default domain's.
      for (const output of strings(node, NODE_OUTPUT)) (opType === 'Constant' ? constants : computed).add(output);
      const roles = SHAPE_INPUTS.get(opType);
      if (roles) sizeInputs.push({ operator, inputs: strings(node, NODE_INPUT), roles });
    }
  }
  if (graphs === 0) throw new Refusal(`${NOT_ONNX}: it holds no graph`);
  // A name also defined otherwise (or not at all) is not a constant: ONNX Runtime might read it from there.
  const isConstant = (name: string) => constants.has(name) && !computed.has(name);
  for (const { operator, inputs, roles } of sizeInputs) {
    roles.forEach((role, i) => {
      const name = inputs[i + 1] ?? ''; // "" leaves an optional input out
      if (name !== '' && !isConstant(name)) {
        throw new Refusal(`model.onnx gives the operator ${operator} its ${role} from "${name.slice(0, 100)}", which is not a constant of the model. ${CONSTANT_SIZES_RULE}`);
      }
    });
  }
}
