import type { CompileScope, Compiled } from './compiled.js'

/** Compiles one operator's raw arguments (as written in the rule) into a node. */
export type OperatorCompiler = (raw: unknown, scope: CompileScope, path: string) => Compiled

/** Compiles each element of an argument list. */
export function compileArgs(
  raw: readonly unknown[],
  scope: CompileScope,
  path: string,
): Compiled[] {
  return raw.map((arg, index) => scope.compile(arg, scope, `${path}/${index}`))
}

/**
 * Arguments as flagd's engine passes them to a non-lazy operator: a list stays a list, a single
 * literal becomes a one-element list, a single rule is evaluated at run time.
 */
export function compileArgList(raw: unknown, scope: CompileScope, path: string): ArgList {
  if (Array.isArray(raw)) return { items: compileArgs(raw, scope, path) }
  if (raw !== null && typeof raw === 'object') return { spread: scope.compile(raw, scope, path) }
  return { items: [scope.compile(raw, scope, path)] }
}

export type ArgList = { readonly items: Compiled[] } | { readonly spread: Compiled }
