/** Marker for a promise that lost the race against its timer. */
export const TIMED_OUT: unique symbol = Symbol('timed-out')

/**
 * Races `promise` against a timer. Resolves to `TIMED_OUT` when the timer wins; the original promise is left
 * to settle on its own (its rejection is observed so it never becomes an unhandled rejection).
 */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  if (!Number.isFinite(ms)) return promise
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(resolve, ms, TIMED_OUT)
    timer.unref?.()
  })
  promise.catch(() => {})
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

interface Pending {
  deadline: number
  done: boolean
  resolve: (value: typeof TIMED_OUT) => void
  next: Pending | undefined
}

/**
 * Timeouts for a stream of calls that all share one duration (one tier's operations). Deadlines then arrive
 * in call order, so a FIFO queue and a single timer armed for its head replace one `setTimeout` and one
 * `Promise.race` per call: on a remote hit path that timer churn costs more than the decode.
 */
export class DeadlineQueue {
  readonly #ms: number
  #head: Pending | undefined
  #tail: Pending | undefined
  #timer: ReturnType<typeof setTimeout> | undefined

  constructor(ms: number) {
    this.#ms = ms
  }

  /** Settles like `promise`, or resolves to `TIMED_OUT` once the duration has passed (the promise is then left to settle on its own). */
  race<T>(promise: Promise<T>): Promise<T | typeof TIMED_OUT> {
    return new Promise<T | typeof TIMED_OUT>((resolve, reject) => {
      const node: Pending = { deadline: performance.now() + this.#ms, done: false, resolve, next: undefined }
      if (this.#tail === undefined) this.#head = node
      else this.#tail.next = node
      this.#tail = node
      if (this.#timer === undefined) this.#arm()
      promise.then(
        (value) => {
          if (node.done) return
          node.done = true
          this.#drop()
          resolve(value)
        },
        (err: unknown) => {
          if (node.done) return
          node.done = true
          this.#drop()
          reject(err)
        },
      )
    })
  }

  /** Drops settled calls from the head so the queue stays as short as the calls in flight. */
  #drop(): void {
    let head = this.#head
    while (head?.done) head = head.next
    this.#head = head
    if (head === undefined) {
      this.#tail = undefined
      if (this.#timer !== undefined) {
        clearTimeout(this.#timer)
        this.#timer = undefined
      }
    }
  }

  #arm(): void {
    const head = this.#head
    if (head === undefined) return
    this.#timer = setTimeout(this.#fire, Math.max(0, head.deadline - performance.now()))
    this.#timer.unref?.()
  }

  readonly #fire = (): void => {
    this.#timer = undefined
    const now = performance.now()
    let head = this.#head
    while (head !== undefined && (head.done || head.deadline <= now)) {
      if (!head.done) {
        head.done = true
        head.resolve(TIMED_OUT)
      }
      head = head.next
    }
    this.#head = head
    if (head === undefined) this.#tail = undefined
    else this.#arm()
  }
}
