import { createEngine } from '@canarykit/core'
import type {
  Engine,
  EngineOptions,
  EvaluationContext,
  FlagValue,
  JsonObject,
  Resolution,
} from '@canarykit/core'
import { expect } from 'vitest'
import type { Scenario, ScenarioStep } from './gherkin-scenarios.js'

/** 2026-01-01T00:00:00Z: `$flagd.timestamp` rules (`timestamp-flag`) must not depend on the day. */
export const FIXED_CLOCK = (): number => Date.UTC(2026, 0, 1)

/** Where a suite's flags come from. */
export interface FlagSource {
  /**
   * The flag document a provider serves: `selector` is the value of the provider's
   * `selector` option, `undefined` when the scenario sets none (or for the bare evaluator).
   */
  documentFor(selector: string | undefined): string
}

/** How a scenario will be played, decided from its steps before running it. */
export type Plan =
  { readonly kind: 'run' } | { readonly kind: 'needs-daemon'; readonly step: string }

export interface StepRunner {
  plan(scenario: Scenario): Plan
  /** Plays every step; throws (with the step, the flag, the context and the result) on failure. */
  run(scenario: Scenario): void
}

type FlagType = 'Boolean' | 'String' | 'Integer' | 'Float' | 'Object'

interface FlagUnderTest {
  readonly key: string
  readonly type: FlagType
  readonly defaultValue: FlagValue
}

/** Scenario state, fresh per pickle. */
interface World {
  engine?: Engine
  selector?: string
  flag?: FlagUnderTest
  context: Record<string, unknown>
  details?: Resolution<FlagValue>
}

interface StepDefinition {
  readonly pattern: RegExp
  /** `daemon` steps need a running flagd (events, connection, sync options): skip the scenario. */
  readonly kind: 'evaluate' | 'daemon'
  readonly run?: (world: World, args: readonly string[], step: ScenarioStep) => void
}

/**
 * Creates the runner for one flag source; engines are loaded once per selector and reused.
 * `engineOptions` are passed to `createEngine` (the clock is always {@link FIXED_CLOCK}).
 */
export function createStepRunner(
  source: FlagSource,
  engineOptions: EngineOptions = {},
): StepRunner {
  const engines = new Map<string, Engine>()
  const engineFor = (selector: string | undefined): Engine => {
    const cacheKey = selector ?? ''
    let engine = engines.get(cacheKey)
    if (engine === undefined) {
      engine = createEngine({ ...engineOptions, clock: FIXED_CLOCK })
      engine.load(source.documentFor(selector), { source: selector ?? 'flags' })
      engines.set(cacheKey, engine)
    }
    return engine
  }
  const definitions = stepDefinitions(engineFor)

  return {
    plan(scenario) {
      for (const step of scenario.steps) {
        const found = match(definitions, step)
        // An unknown step is planned as `run` so that it fails instead of being skipped.
        if (found === undefined) return { kind: 'run' }
        if (found.definition.kind === 'daemon') return { kind: 'needs-daemon', step: step.text }
      }
      return { kind: 'run' }
    },
    run(scenario) {
      const world: World = { context: {} }
      for (const step of scenario.steps) {
        const found = match(definitions, step)
        if (found === undefined) throw new Error(`undefined step: "${step.text}"`)
        if (found.definition.run === undefined) {
          throw new Error(`step needs a flagd daemon: "${step.text}"`)
        }
        try {
          found.definition.run(world, found.args, step)
        } catch (error) {
          const message = `step "${step.text}" failed: ${messageOf(error)}\n${describeWorld(world)}`
          throw new Error(message, { cause: error })
        }
      }
    },
  }
}

function match(
  definitions: readonly StepDefinition[],
  step: ScenarioStep,
): { definition: StepDefinition; args: string[] } | undefined {
  for (const definition of definitions) {
    const m = definition.pattern.exec(step.text)
    if (m !== null) return { definition, args: m.slice(1).map((arg) => arg ?? '') }
  }
  return undefined
}

/** The testbed's step vocabulary (flagd-semantics.md §7.3); first match wins. */
function stepDefinitions(engineFor: (selector: string | undefined) => Engine): StepDefinition[] {
  return [
    // Given: the system under test.
    {
      pattern: /^an evaluator$/,
      kind: 'evaluate',
      run: (world) => (world.engine = engineFor(undefined)),
    },
    {
      pattern: /^a (?:stable|metadata) flagd provider$/,
      kind: 'evaluate',
      run: (world) => (world.engine = engineFor(world.selector)),
    },
    // An in-process engine has no resolution cache: "cache disabled" is what it always does.
    {
      pattern: /^an option "cache" of type "CacheType" with value "disabled"$/,
      kind: 'evaluate',
      run: () => {},
    },
    // A selector picks a flag file; emulated by loading that file on its own.
    {
      pattern: /^an option "selector" of type "String" with value "(.*)"$/,
      kind: 'evaluate',
      run: (world, [selector = '']) => (world.selector = selector),
    },
    { pattern: /^an option "(.*)" of type "(.*)" with value "(.*)"$/, kind: 'daemon' },

    // Given: the flag and the context.
    {
      pattern: /^a (\w+)-flag with key "(.*)" and a (?:fallback|default) value "(.*)"$/,
      kind: 'evaluate',
      run: (world, [type = '', key = '', text = '']) => {
        const flagType = asFlagType(type)
        world.flag = { key, type: flagType, defaultValue: defaultValueOf(text, flagType) }
      },
    },
    {
      pattern: /^a context containing a key "(.*)", with type "(.*)" and with value "(.*)"$/,
      kind: 'evaluate',
      run: (world, [key = '', type = '', text = '']) => {
        const value = typedValue(text, type)
        if (value !== undefined) world.context[key] = value
      },
    },
    {
      pattern:
        /^a context containing a nested property with outer key "(.*)" and inner key "(.*)", with value "(.*)"$/,
      kind: 'evaluate',
      run: (world, [outer = '', inner = '', value = '']) =>
        (world.context[outer] = { [inner]: value }),
    },
    {
      pattern: /^a context containing a targeting key with value "(.*)"$/,
      kind: 'evaluate',
      run: (world, [key = '']) => (world.context['targetingKey'] = key),
    },

    // When.
    {
      pattern: /^the flag was evaluated with details$/,
      kind: 'evaluate',
      run: (world) => {
        const flag = required(world.flag, 'a flag step')
        const engine = required(world.engine, 'an evaluator or provider step')
        world.details = evaluate(engine, flag, world.context)
      },
    },

    // Then.
    {
      pattern: /^the resolved details value should be "(.*)"$/,
      kind: 'evaluate',
      run: (world, [text = '']) => {
        const flag = required(world.flag, 'a flag step')
        expect(details(world).value).toEqual(typedValue(text, flag.type))
      },
    },
    {
      pattern: /^the reason should be "(.*)"$/,
      kind: 'evaluate',
      run: (world, [reason]) => expect(details(world).reason).toBe(reason),
    },
    {
      pattern: /^the error-code should be "(.*)"$/,
      kind: 'evaluate',
      run: (world, [code]) => {
        const result = details(world)
        const actual = result.reason === 'ERROR' ? result.errorCode : undefined
        expect(actual).toBe(code === '' ? undefined : code)
      },
    },
    {
      pattern: /^the variant should be "(.*)"$/,
      kind: 'evaluate',
      run: (world, [variant]) => {
        const result = details(world)
        expect(result.reason === 'ERROR' ? undefined : result.variant).toBe(variant)
      },
    },
    {
      pattern: /^the resolved metadata should contain$/,
      kind: 'evaluate',
      run: (world, _args, step) => {
        const [header, ...rows] = required(step.table, 'a data table')
        expect(header).toEqual(['key', 'metadata_type', 'value'])
        const metadata = details(world).flagMetadata
        for (const [key = '', type = '', text = ''] of rows) {
          expect(metadata, `metadata "${key}"`).toHaveProperty([key], typedValue(text, type))
        }
      },
    },
    {
      pattern: /^the resolved metadata is empty$/,
      kind: 'evaluate',
      run: (world) => expect(details(world).flagMetadata).toEqual({}),
    },

    // Provider lifecycle: only a flagd daemon (or its sync stream) can produce these.
    { pattern: /^an? (?:ready|error|stale|change) event handler$/, kind: 'daemon' },
    {
      pattern: /^the (?:ready|error|stale) event handler should have been executed$/,
      kind: 'daemon',
    },
    { pattern: /^the connection is lost for \d+s$/, kind: 'daemon' },
    { pattern: /^the flag was modified$/, kind: 'daemon' },
    { pattern: /^a change event was fired$/, kind: 'daemon' },
    { pattern: /^the flag should be part of the event payload$/, kind: 'daemon' },
  ]
}

function asFlagType(type: string): FlagType {
  if (
    type === 'Boolean' ||
    type === 'String' ||
    type === 'Integer' ||
    type === 'Float' ||
    type === 'Object'
  ) {
    return type
  }
  throw new Error(`unknown flag type "${type}"`)
}

/**
 * A table cell as the JS step definitions read it: String "null" is no value, Integer/Float
 * via parseInt/parseFloat, Boolean is a "true" test, Object is JSON (cells escape `"` as `\"`).
 */
function typedValue(text: string, type: string): unknown {
  switch (type) {
    case 'String':
      return text === 'null' ? undefined : text
    case 'Integer':
      return Number.parseInt(text, 10)
    case 'Float':
      return Number.parseFloat(text)
    case 'Boolean':
      return text.toLowerCase() === 'true'
    case 'Object':
      return text === 'null' ? undefined : (JSON.parse(text.replaceAll('\\"', '"')) as unknown)
    default:
      throw new Error(`unknown value type "${type}"`)
  }
}

/** The caller default; its JS type is the type the flag is requested as (Integer and Float: number). */
function defaultValueOf(text: string, type: FlagType): FlagValue {
  const value = typedValue(text, type)
  const valid =
    type === 'Object'
      ? typeof value === 'object' && value !== null && !Array.isArray(value)
      : typeof value === (type === 'Boolean' ? 'boolean' : type === 'String' ? 'string' : 'number')
  if (!valid || Number.isNaN(value)) throw new Error(`bad ${type} default value "${text}"`)
  return value as FlagValue
}

/** Calls the overload matching the default's type, as an OpenFeature client would. */
function evaluate(
  engine: Engine,
  flag: FlagUnderTest,
  context: EvaluationContext,
): Resolution<FlagValue> {
  const { key, defaultValue } = flag
  switch (typeof defaultValue) {
    case 'boolean':
      return engine.evaluate(key, defaultValue, context)
    case 'string':
      return engine.evaluate(key, defaultValue, context)
    case 'number':
      return engine.evaluate(key, defaultValue, context)
    default:
      return engine.evaluate<JsonObject>(key, defaultValue, context)
  }
}

function details(world: World): Resolution<FlagValue> {
  return required(world.details, 'the evaluation step')
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`the scenario has no ${what} before this step`)
  return value
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function describeWorld(world: World): string {
  return [
    `  flag: ${JSON.stringify(world.flag)}`,
    `  context: ${JSON.stringify(world.context)}`,
    `  result: ${JSON.stringify(world.details)}`,
  ].join('\n')
}
