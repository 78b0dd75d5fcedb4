/*
 * The helper threads (parallel.h). A job is posted by bumping a generation counter; helpers
 * spin on it for a while after each job (a probe's products come microseconds apart, and
 * waking a sleeping thread costs more than many of them take), then sleep on a condition
 * variable. The caller runs part 0 and spins until the helpers' parts are done.
 */
#define _POSIX_C_SOURCE 200809L /* posix_memalign */
#include "parallel.h"

#include <stdlib.h>

#if defined(_WIN32)
/* No POSIX threads: every product runs on the calling thread. */
struct seq_pool {
  double *scratch;
};
struct seq_pool *seq_pool_new(size_t scratch_doubles) {
  struct seq_pool *pool = calloc(1, sizeof *pool);
  if (pool == NULL) return NULL;
  pool->scratch = _aligned_malloc(scratch_doubles * sizeof(double), 64);
  if (pool->scratch == NULL) {
    free(pool);
    return NULL;
  }
  return pool;
}
void seq_pool_free(struct seq_pool *pool) {
  _aligned_free(pool->scratch);
  free(pool);
}
int seq_pool_set_threads(struct seq_pool *pool, int threads) {
  (void)pool;
  (void)threads;
  return 1;
}
int seq_pool_threads(const struct seq_pool *pool) {
  (void)pool;
  return 1;
}
double *seq_pool_scratch(struct seq_pool *pool) { return pool->scratch; }
void seq_pool_run(struct seq_pool *pool, int parts, seq_part_fn fn, void *ctx) {
  for (int p = 0; p < parts; p++) fn(ctx, p, pool->scratch);
}
#else
#include <pthread.h>
#include <stdatomic.h>

/* Spins (about 20-50 us) a helper waits for the next job before it sleeps. */
#define SPINS 20000

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

/*
 * A helper's mailbox: the caller writes fn and ctx while the helper is between jobs (it has
 * waited for the last one), then bumps `posted`; the helper runs the job and sets `done` to it.
 */
struct helper {
  struct seq_pool *pool;
  pthread_t thread;
  int part;
  double *scratch;
  seq_part_fn fn;
  void *ctx;
  _Atomic unsigned long posted;
  _Atomic unsigned long done;
};

struct seq_pool {
  size_t scratch_doubles;
  double *scratch;
  int threads;
  int started;
  struct helper helpers[SEQ_MAX_THREADS - 1];
  /* Set before the last post: the helpers end. */
  _Atomic int stopping;
  pthread_mutex_t lock;
  pthread_cond_t wake;
};

static void *aligned_doubles(size_t n) {
  void *p = NULL;
  return posix_memalign(&p, 64, n * sizeof(double)) == 0 ? p : NULL;
}

static void *helper_main(void *arg) {
  struct helper *h = arg;
  struct seq_pool *pool = h->pool;
  unsigned long seen = 0;
  for (;;) {
    unsigned long now;
    int spins = 0;
    while ((now = atomic_load_explicit(&h->posted, memory_order_acquire)) == seen && ++spins < SPINS) cpu_relax();
    if (now == seen) {
      pthread_mutex_lock(&pool->lock);
      while ((now = atomic_load_explicit(&h->posted, memory_order_acquire)) == seen) pthread_cond_wait(&pool->wake, &pool->lock);
      pthread_mutex_unlock(&pool->lock);
    }
    seen = now;
    if (atomic_load_explicit(&pool->stopping, memory_order_acquire)) return NULL;
    h->fn(h->ctx, h->part, h->scratch);
    atomic_store_explicit(&h->done, seen, memory_order_release);
  }
}

struct seq_pool *seq_pool_new(size_t scratch_doubles) {
  struct seq_pool *pool = calloc(1, sizeof *pool);
  if (pool == NULL) return NULL;
  pool->scratch_doubles = scratch_doubles;
  pool->scratch = aligned_doubles(scratch_doubles);
  if (pool->scratch == NULL) {
    free(pool);
    return NULL;
  }
  pool->threads = 1;
  atomic_init(&pool->stopping, 0);
  pthread_mutex_init(&pool->lock, NULL);
  pthread_cond_init(&pool->wake, NULL);
  return pool;
}

/* Gives helper h its next job (it must have finished the last), waking it if it sleeps. */
static void post(struct seq_pool *pool, struct helper *h, seq_part_fn fn, void *ctx) {
  h->fn = fn;
  h->ctx = ctx;
  pthread_mutex_lock(&pool->lock);
  atomic_fetch_add_explicit(&h->posted, 1, memory_order_release);
  pthread_cond_broadcast(&pool->wake);
  pthread_mutex_unlock(&pool->lock);
}

void seq_pool_free(struct seq_pool *pool) {
  atomic_store_explicit(&pool->stopping, 1, memory_order_release);
  for (int i = 0; i < pool->started; i++) post(pool, &pool->helpers[i], NULL, NULL);
  for (int i = 0; i < pool->started; i++) {
    pthread_join(pool->helpers[i].thread, NULL);
    free(pool->helpers[i].scratch);
  }
  pthread_cond_destroy(&pool->wake);
  pthread_mutex_destroy(&pool->lock);
  free(pool->scratch);
  free(pool);
}

int seq_pool_set_threads(struct seq_pool *pool, int threads) {
  if (threads < 1) threads = 1;
  if (threads > SEQ_MAX_THREADS) threads = SEQ_MAX_THREADS;
  while (pool->started < threads - 1) {
    struct helper *h = &pool->helpers[pool->started];
    h->pool = pool;
    h->part = pool->started + 1;
    atomic_init(&h->posted, 0);
    atomic_init(&h->done, 0);
    h->scratch = aligned_doubles(pool->scratch_doubles);
    if (h->scratch == NULL) break;
    if (pthread_create(&h->thread, NULL, helper_main, h) != 0) {
      free(h->scratch);
      h->scratch = NULL;
      break;
    }
    pool->started++;
  }
  /* Fewer threads than helpers started: the others stay, asleep once they stop spinning. */
  pool->threads = threads < pool->started + 1 ? threads : pool->started + 1;
  return pool->threads;
}

int seq_pool_threads(const struct seq_pool *pool) { return pool->threads; }

double *seq_pool_scratch(struct seq_pool *pool) { return pool->scratch; }

void seq_pool_run(struct seq_pool *pool, int parts, seq_part_fn fn, void *ctx) {
  if (parts > pool->threads) parts = pool->threads;
  for (int p = 1; p < parts; p++) post(pool, &pool->helpers[p - 1], fn, ctx);
  fn(ctx, 0, pool->scratch);
  for (int p = 1; p < parts; p++) {
    const struct helper *h = &pool->helpers[p - 1];
    const unsigned long job = atomic_load_explicit(&h->posted, memory_order_relaxed);
    while (atomic_load_explicit(&h->done, memory_order_acquire) != job) cpu_relax();
  }
}
#endif
