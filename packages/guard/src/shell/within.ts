/**
 * Waits for `promise`, but at most `ms` (the timer is cleared either way, so nothing lingers).
 * Resolves `true` when the promise settled in time.
 *
 * @internal
 */
export async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)))
  try {
    return await Promise.race([
      promise.then(
        () => true,
        () => true,
      ),
      deadline,
    ])
  } finally {
    clearTimeout(timer)
  }
}
