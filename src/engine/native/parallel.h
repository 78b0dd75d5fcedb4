/*
 * Helper threads for one product: when a probe may use cores the lab's other workers leave idle
 * (it was handed out while more workers were free than probes queued), the products split C's
 * columns between the calling thread and these helpers. Each part computes its columns exactly
 * as the whole product would (same path, same order of every sum), so the results do not depend
 * on how many threads ran.
 *
 * One pool per module instance (a Node environment), used by one JS thread at a time.
 */
#ifndef SEQLAB_PARALLEL_H
#define SEQLAB_PARALLEL_H

#include <stddef.h>

/* Threads a product may be split over, the calling one included. */
#define SEQ_MAX_THREADS 16

struct seq_pool;

/* Part `part` of a job (0 runs on the calling thread), with that thread's scratch (SEQ_SCRATCH_DOUBLES, 64-byte aligned). */
typedef void (*seq_part_fn)(void *ctx, int part, double *scratch);

/* A pool of one thread (the caller), with `scratch_doubles` of scratch per thread; NULL: out of memory. */
struct seq_pool *seq_pool_new(size_t scratch_doubles);
/* Stops and joins the helpers, frees the pool. */
void seq_pool_free(struct seq_pool *pool);
/*
 * Lets products use up to `threads` threads (1 .. SEQ_MAX_THREADS), starting helpers as needed;
 * returns how many they may use now (fewer where a helper could not be started, 1 where the
 * platform has no POSIX threads).
 */
int seq_pool_set_threads(struct seq_pool *pool, int threads);
int seq_pool_threads(const struct seq_pool *pool);
/* The calling thread's scratch. */
double *seq_pool_scratch(struct seq_pool *pool);
/* Runs fn(ctx, p, scratch) for p < parts (parts <= seq_pool_threads), part 0 here, and returns when all are done. */
void seq_pool_run(struct seq_pool *pool, int parts, seq_part_fn fn, void *ctx);

#endif
