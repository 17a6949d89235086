import { AstBuilder, compile, GherkinClassicTokenMatcher, Parser } from '@cucumber/gherkin'
import { IdGenerator, type GherkinDocument, type Pickle } from '@cucumber/messages'

/** One runnable scenario: a gherkin pickle (outlines already expanded to one per example row). */
export interface Scenario {
  /** `file.feature:line Scenario name (column=value, ...)`, unique and readable in test output. */
  readonly title: string
  readonly tags: readonly string[]
  readonly steps: readonly ScenarioStep[]
}

export interface ScenarioStep {
  readonly text: string
  /** The data table under the step, header row included. */
  readonly table?: readonly (readonly string[])[]
}

/** An example row of a Scenario Outline, to name the pickle it produced. */
interface ExampleRow {
  readonly line: number
  readonly label: string
}

/** Parses one `.feature` text into its pickles. Throws on a syntax error. */
export function parseFeature(text: string, fileName: string): Scenario[] {
  const newId = IdGenerator.incrementing()
  const parser = new Parser(new AstBuilder(newId), new GherkinClassicTokenMatcher())
  const document = parser.parse(text)
  const rows = exampleRows(document)
  return compile(document, fileName, newId).map((pickle) => toScenario(pickle, rows, fileName))
}

function toScenario(
  pickle: Pickle,
  rows: ReadonlyMap<string, ExampleRow>,
  fileName: string,
): Scenario {
  // An outline pickle's last AST node id is the example row it was expanded from.
  const row = rows.get(pickle.astNodeIds.at(-1) ?? '')
  const line = row?.line ?? pickle.location?.line ?? 0
  const title = `${fileName}:${line} ${pickle.name}${row === undefined ? '' : ` (${row.label})`}`
  return {
    title,
    tags: pickle.tags.map((tag) => tag.name),
    steps: pickle.steps.map((step) => {
      const rows = step.argument?.dataTable?.rows
      if (rows === undefined) return { text: step.text }
      return { text: step.text, table: rows.map((r) => r.cells.map((cell) => cell.value)) }
    }),
  }
}

/** Every example row in the document by id, labelled `examples name: column=value, ...`. */
function exampleRows(document: GherkinDocument): Map<string, ExampleRow> {
  const rows = new Map<string, ExampleRow>()
  const children = document.feature?.children ?? []
  const scenarios = children.flatMap((child) => [
    ...(child.scenario === undefined ? [] : [child.scenario]),
    ...(child.rule?.children.flatMap((c) => (c.scenario === undefined ? [] : [c.scenario])) ?? []),
  ])
  for (const examples of scenarios.flatMap((scenario) => scenario.examples)) {
    const header = examples.tableHeader?.cells.map((cell) => cell.value) ?? []
    const prefix = examples.name === '' ? '' : `${examples.name}: `
    for (const row of examples.tableBody) {
      const values = row.cells.map((cell, i) => `${header[i] ?? i}=${cell.value}`).join(', ')
      rows.set(row.id, { line: row.location.line, label: prefix + values })
    }
  }
  return rows
}

/** Whether a scenario carries a tag (feature, scenario and examples tags all count). */
export function hasTag(scenario: Scenario, tag: string): boolean {
  return scenario.tags.includes(tag)
}
