/**
 * Thrown by an operator that cannot produce a value for its inputs. The evaluation returns
 * `ERROR/GENERAL` (or, when the failing part is constant, the flag is `PARSE_ERROR` at load).
 */
export class InvalidArgument extends Error {
  override readonly name = 'InvalidArgument'
}
