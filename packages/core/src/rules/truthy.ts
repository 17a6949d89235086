/**
 * JsonLogic truthiness as flagd's JavaScript engine applies it: JavaScript truthiness, except
 * that empty arrays and empty plain objects are false.
 */
export function truthy(value: unknown): boolean {
  if (!value) return false
  if (typeof value !== 'object') return true
  if (Array.isArray(value)) return value.length > 0
  const proto: unknown = Object.getPrototypeOf(value)
  if (proto === Object.prototype || proto === null) {
    for (const key in value) if (Object.hasOwn(value, key)) return true
    return false
  }
  return true
}
