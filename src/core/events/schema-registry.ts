import { z } from 'zod';
import type { Reason, ValidationResult } from './types.js';
import { describeValue, eventFields, issueMessage, toReasons, toValidationResult } from './validate-event.js';

export { CLIENT_NAME_PATTERN, isValidClientName } from './validate-event.js';

/** The schema of one `Event` payload: a zod object (strict, so unknown fields are reported). */
export type EventSchema = z.ZodObject<z.ZodRawShape, z.core.$ZodObjectConfig>;

/** One version of the events schema. Adding a type (or a source) is defining a new version. */
export interface SchemaVersion {
  /** Its name, as a record may give it in `SchemaVersion`, e.g. `v1`. */
  readonly version: string;
  /** The accepted `Source` values. */
  readonly sources: readonly string[];
  /** Per `Type`, the schema of `Event`. Each has at least `CustomerID`, `AccountID` and `Time`. */
  readonly types: Readonly<Record<string, EventSchema>>;
  /**
   * Checks `Event` when the record's `Type` is missing or unknown, so that its other problems are
   * reported too; when absent, `Event` is only required to be an object.
   */
  readonly commonEvent: EventSchema | undefined;
}

/** Fields every `Event` schema must have: the consumer stores and queries by them. */
const DOMAIN_FIELDS = ['CustomerID', 'AccountID', 'Time'];

/** Checks a version's definition once, at start-up: a bad one is a programming error and throws. */
export function defineSchemaVersion(definition: {
  version: string;
  sources: readonly string[];
  types: Record<string, EventSchema>;
  commonEvent?: EventSchema;
}): SchemaVersion {
  const { version, sources, types } = definition;
  if (version.trim() === '') throw new TypeError('a schema version needs a name');
  if (sources.length === 0) throw new TypeError(`schema version ${version} has no sources`);
  if (Object.keys(types).length === 0) throw new TypeError(`schema version ${version} has no types`);
  for (const [type, schema] of Object.entries(types)) {
    const missing = DOMAIN_FIELDS.filter((field) => !(field in schema.shape));
    if (missing.length > 0) {
      throw new TypeError(`schema version ${version}: Event of type ${type} lacks ${missing.join(', ')}`);
    }
  }
  return Object.freeze({
    version,
    sources: Object.freeze([...sources]),
    types: Object.freeze({ ...types }),
    commonEvent: definition.commonEvent,
  });
}

/** Validates records against the versions it holds. */
export interface SchemaRegistry {
  /** Version names, oldest first. */
  readonly versions: readonly string[];
  /** The version of records that name none: the last one given. */
  readonly latest: string;
  get(version: string): SchemaVersion | undefined;
  /**
   * Validates one parsed record against its version: the one named by its optional top-level
   * `SchemaVersion` field, else the latest. An unknown `SchemaVersion` is a reason (and the rest
   * is checked against the latest, so every other problem is reported too).
   *
   * Unknown fields, at the top level and in `Event`, are rejected, each with its own reason and
   * a guess at the field meant: a misspelt optional field (`FraudScor`) or `Client` (`Cleint`)
   * would otherwise be dropped silently and the event stored without it.
   *
   * Every problem is reported, not only the first: a producer fixes a record in one round trip.
   */
  validate(value: unknown): ValidationResult;
}

interface CompiledVersion {
  definition: SchemaVersion;
  byType: Map<string, z.ZodObject>;
  /** For records whose `Type` is missing or unknown. */
  fallback: z.ZodObject;
}

/**
 * Builds a registry from its versions, oldest first.
 *
 * @example
 * const v2 = defineSchemaVersion({ ...eventsV1, version: 'v2', types: { ...eventsV1.types, refund } });
 * const registry = createSchemaRegistry([eventsV1, v2]);
 * registry.validate(JSON.parse(body)); // v2 unless the record says `"SchemaVersion": "v1"`
 */
export function createSchemaRegistry(versions: readonly SchemaVersion[]): SchemaRegistry {
  const names = versions.map((version) => version.version);
  const latestName = names.at(-1);
  if (latestName === undefined) throw new TypeError('a schema registry needs at least one version');
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate !== undefined) throw new TypeError(`schema version ${duplicate} is defined twice`);
  const compiled = new Map(versions.map((version) => [version.version, compile(version)]));
  const latest = compiled.get(latestName) as CompiledVersion;

  return {
    versions: Object.freeze(names),
    latest: latestName,
    get: (version) => compiled.get(version)?.definition,
    validate(value) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return {
          ok: false,
          reasons: [{ path: '', message: `a record must be a JSON object, got ${describeValue(value)}` }],
        };
      }
      const record = value as Record<string, unknown>;
      const reasons: Reason[] = [];
      let target = latest;
      const named = record.SchemaVersion;
      if (named !== undefined) {
        const found = typeof named === 'string' ? compiled.get(named) : undefined;
        if (found !== undefined) target = found;
        else reasons.push({ path: 'SchemaVersion', message: unknownValue('schema version', names)(named) });
      }
      const type = record.Type;
      const schema = (typeof type === 'string' && target.byType.get(type)) || target.fallback;
      const result = schema.safeParse(record, { error: issueMessage });
      if (!result.success) reasons.push(...toReasons(result.error.issues, (path) => keysAt(schema, path)));
      return toValidationResult(record, target.definition.version, reasons);
    },
  };
}

function compile(definition: SchemaVersion): CompiledVersion {
  const typeNames = Object.keys(definition.types);
  const envelope = {
    ID: eventFields.uuid(),
    Source: z.enum(definition.sources, { error: unknownMessage('source', definition.sources) }),
    Client: eventFields.client(),
    Type: z.enum(typeNames, { error: unknownMessage('type', typeNames) }),
    // Checked against the registry's versions before parsing.
    SchemaVersion: z.unknown().optional(),
  };
  const byType = new Map(
    Object.entries(definition.types).map(([type, event]) => [
      type,
      z.strictObject({ ...envelope, Event: event }),
    ]),
  );
  const fallback = z.strictObject({ ...envelope, Event: definition.commonEvent ?? z.looseObject({}) });
  return { definition, byType, fallback };
}

/** `unknown type "foo"; expected one of …` for a wrong string, `must be a string` for the rest. */
function unknownValue(noun: string, expected: readonly string[]) {
  return (input: unknown): string =>
    typeof input === 'string'
      ? `unknown ${noun} ${describeValue(input)}; expected one of ${expected.join(', ')}`
      : `must be a string, got ${describeValue(input)}`;
}

/** As {@link unknownValue}, as a zod error that leaves a missing value to the default `required`. */
function unknownMessage(noun: string, expected: readonly string[]) {
  const message = unknownValue(noun, expected);
  return (issue: { input?: unknown }) => (issue.input === undefined ? undefined : message(issue.input));
}

/** The fields a strict object in `schema` allows at `path`, for guessing what a typo meant. */
function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let current = asObject(schema);
  for (const key of path) current = asObject(current?.shape[String(key)]);
  return current === undefined ? [] : Object.keys(current.shape);
}

function asObject(schema: unknown): z.ZodObject | undefined {
  let current = schema;
  while (current instanceof z.ZodOptional) current = current.unwrap();
  return current instanceof z.ZodObject ? current : undefined;
}

/** `Event` of schema v1, the reference event processor's; other types of later versions may extend it. */
export const eventSchemaV1 = z.strictObject({
  CustomerID: eventFields.uuid(),
  AccountID: eventFields.uuid(),
  Time: eventFields.time(),
  TransactionID: eventFields.uuid().optional(),
  FraudScore: eventFields.fraudScore().optional(),
});

/** Schema v1, DESIGN.md's: the samples in `shared/datasets/events/` are v1 events. */
export const eventsV1 = defineSchemaVersion({
  version: 'v1',
  sources: ['monitoring', 'application', 'authorizer'],
  // Every v1 type allows the same fields, so an unknown Type still gets its Event fully checked.
  commonEvent: eventSchemaV1,
  types: {
    transaction: eventSchemaV1.extend({ TransactionID: eventFields.uuid({ requiredFor: 'transaction' }) }),
    fraud_detection: eventSchemaV1.extend({
      FraudScore: eventFields.fraudScore({ requiredFor: 'fraud_detection' }),
    }),
    check_account: eventSchemaV1,
  },
});

/** The registry the events pipeline uses. */
export const defaultSchemaRegistry = createSchemaRegistry([eventsV1]);
