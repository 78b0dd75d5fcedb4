// Trailing-edge throttle: runs fn at most once per `ms`, always with the latest call's timing,
// and never drops the last call.
export function throttle(fn: () => void, ms: number, now: () => number = Date.now): { call(): void; cancel(): void } {
  let last = -Infinity;
  let timer: ReturnType<typeof setTimeout> | null = null;
  return {
    call() {
      if (timer) return;
      const wait = Math.max(0, last + ms - now());
      timer = setTimeout(() => {
        timer = null;
        last = now();
        fn();
      }, wait);
    },
    cancel() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
