;; Dense float64 kernels with WebAssembly SIMD (f64x2), the hand-written source of
;; kernelsBinary.ts (compile with `node scripts/codegen/build-wasm-kernels.mjs`).
;;
;; Every pointer is a byte address into the imported memory; every matrix is row-major.
;; Loops count down with i32 counters rather than comparing pointers, so a past-the-end pointer
;; that wraps at 4 GiB is never a problem (only addresses that are dereferenced must be valid).
;;
;; The product kernels are built from register-blocked tiles: a 4x4 tile of `out` lives in eight
;; f64x2 accumulators for the whole K loop, so each step of k costs two vector loads of a row of
;; B, four splat loads of A and eight f64x2 multiply-adds (mul then add: fixed-width SIMD has
;; no FMA; see below for the fused build), and `out` is read and written once per tile. Rows go
;; in panels of four, all the 4x4 tiles of a panel in one call ($p44); B stays in cache across
;; panels. (Measured on V8: 4x4 beats 2x8,
;; 3x8, 4x6, 6x4 and 8x2, which run out of the 15 usable xmm registers, and unrolling k by two.)
;; A is addressed through two strides (bytes between rows, bytes between k steps), so the same
;; tiles serve A @ B (ars = 8K, acs = 8) and A^T @ B (ars = 8, acs = 8 * rows of A^T).
;; Column tails use 4x2 and 4x1 tiles, the last one to three rows 1x8, 1x2 and 1x1 tiles.
;;
;; Within one output element the k terms are summed in order, into the old value of `out` when
;; accumulating; so results match a plain triple loop up to the rounding of that order.
;;
;; Every vector multiply-add of the product and Gram kernels is written on one line marked
;; `;; @madd`, as (f64x2.add acc (f64x2.mul x y)). build-wasm-kernels.mjs compiles this file
;; twice: as it is (the plain SIMD module) and with each marked line's multiply-add rewritten to
;; (f64x2.relaxed_madd x y acc) (the relaxed-SIMD module, loaded where the runtime supports it).
;; relaxed_madd is fused (one rounding) on hardware with FMA and mul-then-add elsewhere; the
;; terms and their order are the same, so results differ from this file's only in rounding.
;; (Measured on V8 / x86 with FMA: gemm and gramUpper about 25-30% faster fused.)

(module
  (import "env" "memory" (memory 1))

  ;; ---------------------------------------------------------------- product tiles

  ;; out[4 x 4n] (+)= A[4 x k] @ B[k x 4n]: n >= 1 tiles of 4x4 along a panel of four rows,
  ;; each held in eight accumulators for the whole k loop.
  ;; o: out, po: bytes per out row; a: A, ars/acs: A strides; b: B, pb: bytes per B row;
  ;; k: inner length; acc: 1 = add to out, 0 = overwrite out; n: number of tiles.
  (func $p44 (param $o i32) (param $po i32) (param $a i32) (param $ars i32) (param $acs i32)
             (param $b i32) (param $pb i32) (param $k i32) (param $acc i32) (param $n i32)
    (local $a0 i32) (local $a1 i32) (local $a2 i32) (local $a3 i32) (local $bk i32) (local $kk i32) (local $or i32)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $b0 v128) (local $b1 v128) (local $s v128)
    (loop $tiles
      (local.set $a0 (local.get $a))
      (local.set $a1 (i32.add (local.get $a0) (local.get $ars)))
      (local.set $a2 (i32.add (local.get $a1) (local.get $ars)))
      (local.set $a3 (i32.add (local.get $a2) (local.get $ars)))
      (local.set $bk (local.get $b))
      (local.set $kk (local.get $k))
      (if (local.get $acc)
        (then
          (local.set $or (local.get $o))
          (local.set $c00 (v128.load (local.get $or)))
          (local.set $c01 (v128.load offset=16 (local.get $or)))
          (local.set $or (i32.add (local.get $or) (local.get $po)))
          (local.set $c10 (v128.load (local.get $or)))
          (local.set $c11 (v128.load offset=16 (local.get $or)))
          (local.set $or (i32.add (local.get $or) (local.get $po)))
          (local.set $c20 (v128.load (local.get $or)))
          (local.set $c21 (v128.load offset=16 (local.get $or)))
          (local.set $or (i32.add (local.get $or) (local.get $po)))
          (local.set $c30 (v128.load (local.get $or)))
          (local.set $c31 (v128.load offset=16 (local.get $or))))
        (else
          (local.set $c00 (v128.const f64x2 0 0)) (local.set $c01 (v128.const f64x2 0 0))
          (local.set $c10 (v128.const f64x2 0 0)) (local.set $c11 (v128.const f64x2 0 0))
          (local.set $c20 (v128.const f64x2 0 0)) (local.set $c21 (v128.const f64x2 0 0))
          (local.set $c30 (v128.const f64x2 0 0)) (local.set $c31 (v128.const f64x2 0 0))))
      (block $done
        (br_if $done (i32.eqz (local.get $kk)))
        (loop $next
          (local.set $b0 (v128.load (local.get $bk)))
          (local.set $b1 (v128.load offset=16 (local.get $bk)))
          (local.set $s (v128.load64_splat (local.get $a0)))
          (local.set $c00 (f64x2.add (local.get $c00) (f64x2.mul (local.get $s) (local.get $b0)))) ;; @madd
          (local.set $c01 (f64x2.add (local.get $c01) (f64x2.mul (local.get $s) (local.get $b1)))) ;; @madd
          (local.set $s (v128.load64_splat (local.get $a1)))
          (local.set $c10 (f64x2.add (local.get $c10) (f64x2.mul (local.get $s) (local.get $b0)))) ;; @madd
          (local.set $c11 (f64x2.add (local.get $c11) (f64x2.mul (local.get $s) (local.get $b1)))) ;; @madd
          (local.set $s (v128.load64_splat (local.get $a2)))
          (local.set $c20 (f64x2.add (local.get $c20) (f64x2.mul (local.get $s) (local.get $b0)))) ;; @madd
          (local.set $c21 (f64x2.add (local.get $c21) (f64x2.mul (local.get $s) (local.get $b1)))) ;; @madd
          (local.set $s (v128.load64_splat (local.get $a3)))
          (local.set $c30 (f64x2.add (local.get $c30) (f64x2.mul (local.get $s) (local.get $b0)))) ;; @madd
          (local.set $c31 (f64x2.add (local.get $c31) (f64x2.mul (local.get $s) (local.get $b1)))) ;; @madd
          (local.set $a0 (i32.add (local.get $a0) (local.get $acs)))
          (local.set $a1 (i32.add (local.get $a1) (local.get $acs)))
          (local.set $a2 (i32.add (local.get $a2) (local.get $acs)))
          (local.set $a3 (i32.add (local.get $a3) (local.get $acs)))
          (local.set $bk (i32.add (local.get $bk) (local.get $pb)))
          (br_if $next (local.tee $kk (i32.sub (local.get $kk) (i32.const 1))))))
      (local.set $or (local.get $o))
      (v128.store (local.get $or) (local.get $c00))
      (v128.store offset=16 (local.get $or) (local.get $c01))
      (local.set $or (i32.add (local.get $or) (local.get $po)))
      (v128.store (local.get $or) (local.get $c10))
      (v128.store offset=16 (local.get $or) (local.get $c11))
      (local.set $or (i32.add (local.get $or) (local.get $po)))
      (v128.store (local.get $or) (local.get $c20))
      (v128.store offset=16 (local.get $or) (local.get $c21))
      (local.set $or (i32.add (local.get $or) (local.get $po)))
      (v128.store (local.get $or) (local.get $c30))
      (v128.store offset=16 (local.get $or) (local.get $c31))
      (local.set $o (i32.add (local.get $o) (i32.const 32)))
      (local.set $b (i32.add (local.get $b) (i32.const 32)))
      (br_if $tiles (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))

  ;; out[4 x 2] (+)= A[4 x k] @ B[k x 2]; parameters as $p44 without n.
  (func $t42 (param $o i32) (param $po i32) (param $a i32) (param $ars i32) (param $acs i32)
             (param $b i32) (param $pb i32) (param $k i32) (param $acc i32)
    (local $a1 i32) (local $a2 i32) (local $a3 i32)
    (local $o1 i32) (local $o2 i32) (local $o3 i32)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128) (local $b0 v128)
    (local.set $o1 (i32.add (local.get $o) (local.get $po)))
    (local.set $o2 (i32.add (local.get $o1) (local.get $po)))
    (local.set $o3 (i32.add (local.get $o2) (local.get $po)))
    (local.set $a1 (i32.add (local.get $a) (local.get $ars)))
    (local.set $a2 (i32.add (local.get $a1) (local.get $ars)))
    (local.set $a3 (i32.add (local.get $a2) (local.get $ars)))
    (if (local.get $acc)
      (then
        (local.set $c0 (v128.load (local.get $o)))
        (local.set $c1 (v128.load (local.get $o1)))
        (local.set $c2 (v128.load (local.get $o2)))
        (local.set $c3 (v128.load (local.get $o3)))))
    (block $done
      (br_if $done (i32.eqz (local.get $k)))
      (loop $next
        (local.set $b0 (v128.load (local.get $b)))
        (local.set $c0 (f64x2.add (local.get $c0) (f64x2.mul (v128.load64_splat (local.get $a)) (local.get $b0)))) ;; @madd
        (local.set $c1 (f64x2.add (local.get $c1) (f64x2.mul (v128.load64_splat (local.get $a1)) (local.get $b0)))) ;; @madd
        (local.set $c2 (f64x2.add (local.get $c2) (f64x2.mul (v128.load64_splat (local.get $a2)) (local.get $b0)))) ;; @madd
        (local.set $c3 (f64x2.add (local.get $c3) (f64x2.mul (v128.load64_splat (local.get $a3)) (local.get $b0)))) ;; @madd
        (local.set $a (i32.add (local.get $a) (local.get $acs)))
        (local.set $a1 (i32.add (local.get $a1) (local.get $acs)))
        (local.set $a2 (i32.add (local.get $a2) (local.get $acs)))
        (local.set $a3 (i32.add (local.get $a3) (local.get $acs)))
        (local.set $b (i32.add (local.get $b) (local.get $pb)))
        (br_if $next (local.tee $k (i32.sub (local.get $k) (i32.const 1))))))
    (v128.store (local.get $o) (local.get $c0))
    (v128.store (local.get $o1) (local.get $c1))
    (v128.store (local.get $o2) (local.get $c2))
    (v128.store (local.get $o3) (local.get $c3)))

  ;; out[4 x 1] (+)= A[4 x k] @ B[k x 1], scalar; parameters as $p44 without n.
  (func $t41 (param $o i32) (param $po i32) (param $a i32) (param $ars i32) (param $acs i32)
             (param $b i32) (param $pb i32) (param $k i32) (param $acc i32)
    (local $a1 i32) (local $a2 i32) (local $a3 i32)
    (local $o1 i32) (local $o2 i32) (local $o3 i32)
    (local $c0 f64) (local $c1 f64) (local $c2 f64) (local $c3 f64) (local $b0 f64)
    (local.set $o1 (i32.add (local.get $o) (local.get $po)))
    (local.set $o2 (i32.add (local.get $o1) (local.get $po)))
    (local.set $o3 (i32.add (local.get $o2) (local.get $po)))
    (local.set $a1 (i32.add (local.get $a) (local.get $ars)))
    (local.set $a2 (i32.add (local.get $a1) (local.get $ars)))
    (local.set $a3 (i32.add (local.get $a2) (local.get $ars)))
    (if (local.get $acc)
      (then
        (local.set $c0 (f64.load (local.get $o)))
        (local.set $c1 (f64.load (local.get $o1)))
        (local.set $c2 (f64.load (local.get $o2)))
        (local.set $c3 (f64.load (local.get $o3)))))
    (block $done
      (br_if $done (i32.eqz (local.get $k)))
      (loop $next
        (local.set $b0 (f64.load (local.get $b)))
        (local.set $c0 (f64.add (local.get $c0) (f64.mul (f64.load (local.get $a)) (local.get $b0))))
        (local.set $c1 (f64.add (local.get $c1) (f64.mul (f64.load (local.get $a1)) (local.get $b0))))
        (local.set $c2 (f64.add (local.get $c2) (f64.mul (f64.load (local.get $a2)) (local.get $b0))))
        (local.set $c3 (f64.add (local.get $c3) (f64.mul (f64.load (local.get $a3)) (local.get $b0))))
        (local.set $a (i32.add (local.get $a) (local.get $acs)))
        (local.set $a1 (i32.add (local.get $a1) (local.get $acs)))
        (local.set $a2 (i32.add (local.get $a2) (local.get $acs)))
        (local.set $a3 (i32.add (local.get $a3) (local.get $acs)))
        (local.set $b (i32.add (local.get $b) (local.get $pb)))
        (br_if $next (local.tee $k (i32.sub (local.get $k) (i32.const 1))))))
    (f64.store (local.get $o) (local.get $c0))
    (f64.store (local.get $o1) (local.get $c1))
    (f64.store (local.get $o2) (local.get $c2))
    (f64.store (local.get $o3) (local.get $c3)))

  ;; out[1 x 8] (+)= A[1 x k] @ B[k x 8]; parameters as $p44 without n and the row strides.
  (func $t18 (param $o i32) (param $a i32) (param $acs i32)
             (param $b i32) (param $pb i32) (param $k i32) (param $acc i32)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128) (local $s v128)
    (if (local.get $acc)
      (then
        (local.set $c0 (v128.load (local.get $o)))
        (local.set $c1 (v128.load offset=16 (local.get $o)))
        (local.set $c2 (v128.load offset=32 (local.get $o)))
        (local.set $c3 (v128.load offset=48 (local.get $o)))))
    (block $done
      (br_if $done (i32.eqz (local.get $k)))
      (loop $next
        (local.set $s (v128.load64_splat (local.get $a)))
        (local.set $c0 (f64x2.add (local.get $c0) (f64x2.mul (local.get $s) (v128.load (local.get $b))))) ;; @madd
        (local.set $c1 (f64x2.add (local.get $c1) (f64x2.mul (local.get $s) (v128.load offset=16 (local.get $b))))) ;; @madd
        (local.set $c2 (f64x2.add (local.get $c2) (f64x2.mul (local.get $s) (v128.load offset=32 (local.get $b))))) ;; @madd
        (local.set $c3 (f64x2.add (local.get $c3) (f64x2.mul (local.get $s) (v128.load offset=48 (local.get $b))))) ;; @madd
        (local.set $a (i32.add (local.get $a) (local.get $acs)))
        (local.set $b (i32.add (local.get $b) (local.get $pb)))
        (br_if $next (local.tee $k (i32.sub (local.get $k) (i32.const 1))))))
    (v128.store (local.get $o) (local.get $c0))
    (v128.store offset=16 (local.get $o) (local.get $c1))
    (v128.store offset=32 (local.get $o) (local.get $c2))
    (v128.store offset=48 (local.get $o) (local.get $c3)))

  ;; out[1 x 2] (+)= A[1 x k] @ B[k x 2]; parameters as $t18.
  (func $t12 (param $o i32) (param $a i32) (param $acs i32)
             (param $b i32) (param $pb i32) (param $k i32) (param $acc i32)
    (local $c0 v128)
    (if (local.get $acc) (then (local.set $c0 (v128.load (local.get $o)))))
    (block $done
      (br_if $done (i32.eqz (local.get $k)))
      (loop $next
        (local.set $c0 (f64x2.add (local.get $c0) (f64x2.mul (v128.load64_splat (local.get $a)) (v128.load (local.get $b))))) ;; @madd
        (local.set $a (i32.add (local.get $a) (local.get $acs)))
        (local.set $b (i32.add (local.get $b) (local.get $pb)))
        (br_if $next (local.tee $k (i32.sub (local.get $k) (i32.const 1))))))
    (v128.store (local.get $o) (local.get $c0)))

  ;; out[1 x 1] (+)= A[1 x k] @ B[k x 1], scalar; parameters as $t18.
  (func $t11 (param $o i32) (param $a i32) (param $acs i32)
             (param $b i32) (param $pb i32) (param $k i32) (param $acc i32)
    (local $c0 f64)
    (if (local.get $acc) (then (local.set $c0 (f64.load (local.get $o)))))
    (block $done
      (br_if $done (i32.eqz (local.get $k)))
      (loop $next
        (local.set $c0 (f64.add (local.get $c0) (f64.mul (f64.load (local.get $a)) (f64.load (local.get $b)))))
        (local.set $a (i32.add (local.get $a) (local.get $acs)))
        (local.set $b (i32.add (local.get $b) (local.get $pb)))
        (br_if $next (local.tee $k (i32.sub (local.get $k) (i32.const 1))))))
    (f64.store (local.get $o) (local.get $c0)))

  ;; One row of out[1 x p] (+)= A[1 x k] @ B[k x p], columns in 8/2/1 tiles.
  (func $row (param $o i32) (param $a i32) (param $acs i32)
             (param $b i32) (param $pb i32) (param $k i32) (param $p i32) (param $acc i32)
    (block $done8
      (loop $next8
        (br_if $done8 (i32.lt_u (local.get $p) (i32.const 8)))
        (call $t18 (local.get $o) (local.get $a) (local.get $acs) (local.get $b) (local.get $pb) (local.get $k) (local.get $acc))
        (local.set $o (i32.add (local.get $o) (i32.const 64)))
        (local.set $b (i32.add (local.get $b) (i32.const 64)))
        (local.set $p (i32.sub (local.get $p) (i32.const 8)))
        (br $next8)))
    (block $done2
      (loop $next2
        (br_if $done2 (i32.lt_u (local.get $p) (i32.const 2)))
        (call $t12 (local.get $o) (local.get $a) (local.get $acs) (local.get $b) (local.get $pb) (local.get $k) (local.get $acc))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (local.set $b (i32.add (local.get $b) (i32.const 16)))
        (local.set $p (i32.sub (local.get $p) (i32.const 2)))
        (br $next2)))
    (if (local.get $p)
      (then (call $t11 (local.get $o) (local.get $a) (local.get $acs) (local.get $b) (local.get $pb) (local.get $k) (local.get $acc)))))

  ;; out[m x p] (+)= A[m x k] @ B[k x p], A addressed by strides (ars per row, acs per k step),
  ;; out and B row-major with p columns.
  (func $mm (param $o i32) (param $a i32) (param $ars i32) (param $acs i32) (param $b i32)
            (param $m i32) (param $k i32) (param $p i32) (param $acc i32)
    (local $rowBytes i32) (local $j i32) (local $oj i32) (local $bj i32)
    (local.set $rowBytes (i32.shl (local.get $p) (i32.const 3)))
    ;; Blocks of four rows.
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.lt_u (local.get $m) (i32.const 4)))
        (local.set $oj (local.get $o))
        (local.set $bj (local.get $b))
        (local.set $j (local.get $p))
        (if (i32.ge_u (local.get $j) (i32.const 4))
          (then
            (call $p44 (local.get $oj) (local.get $rowBytes) (local.get $a) (local.get $ars) (local.get $acs)
                       (local.get $bj) (local.get $rowBytes) (local.get $k) (local.get $acc) (i32.shr_u (local.get $j) (i32.const 2)))
            (local.set $oj (i32.add (local.get $oj) (i32.shl (i32.shr_u (local.get $j) (i32.const 2)) (i32.const 5))))
            (local.set $bj (i32.add (local.get $bj) (i32.shl (i32.shr_u (local.get $j) (i32.const 2)) (i32.const 5))))
            (local.set $j (i32.and (local.get $j) (i32.const 3)))))
        (if (i32.ge_u (local.get $j) (i32.const 2))
          (then
            (call $t42 (local.get $oj) (local.get $rowBytes) (local.get $a) (local.get $ars) (local.get $acs)
                       (local.get $bj) (local.get $rowBytes) (local.get $k) (local.get $acc))
            (local.set $oj (i32.add (local.get $oj) (i32.const 16)))
            (local.set $bj (i32.add (local.get $bj) (i32.const 16)))
            (local.set $j (i32.sub (local.get $j) (i32.const 2)))))
        (if (local.get $j)
          (then
            (call $t41 (local.get $oj) (local.get $rowBytes) (local.get $a) (local.get $ars) (local.get $acs)
                       (local.get $bj) (local.get $rowBytes) (local.get $k) (local.get $acc))))
        (local.set $o (i32.add (local.get $o) (i32.shl (local.get $rowBytes) (i32.const 2))))
        (local.set $a (i32.add (local.get $a) (i32.shl (local.get $ars) (i32.const 2))))
        (local.set $m (i32.sub (local.get $m) (i32.const 4)))
        (br $rows)))
    ;; The last zero to three rows one at a time.
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.eqz (local.get $m)))
        (call $row (local.get $o) (local.get $a) (local.get $acs) (local.get $b) (local.get $rowBytes)
                   (local.get $k) (local.get $p) (local.get $acc))
        (local.set $o (i32.add (local.get $o) (local.get $rowBytes)))
        (local.set $a (i32.add (local.get $a) (local.get $ars)))
        (local.set $m (i32.sub (local.get $m) (i32.const 1)))
        (br $tail))))

  ;; out[m x p] (+)= A[m x k] @ B[k x p], all row-major. acc: 1 = accumulate, 0 = overwrite.
  (func (export "gemm") (param $o i32) (param $a i32) (param $b i32)
                        (param $m i32) (param $k i32) (param $p i32) (param $acc i32)
    (call $mm (local.get $o) (local.get $a) (i32.shl (local.get $k) (i32.const 3)) (i32.const 8) (local.get $b)
              (local.get $m) (local.get $k) (local.get $p) (local.get $acc)))

  ;; out[k x g] += A^T @ da, where A is n rows of k (row-major) and da is n x g.
  (func (export "transposeTimesAcc") (param $a i32) (param $k i32) (param $da i32)
                                     (param $n i32) (param $g i32) (param $o i32)
    (call $mm (local.get $o) (local.get $a) (i32.const 8) (i32.shl (local.get $k) (i32.const 3)) (local.get $da)
              (local.get $k) (local.get $n) (local.get $g) (i32.const 1)))

  ;; ---------------------------------------------------------------- Gram matrix

  ;; Dots of rows r0, r0+rb (bytes apart) with rows q0 .. q0+3qb, each of `len` doubles:
  ;; a 2x4 block of the Gram matrix in eight f64x2 accumulators (the even and odd terms of each
  ;; dot in the two lanes, an odd last term added at the end). Stores entry (r, q) at
  ;; out + (r * ob) + (q * 8) only where q >= r (the upper triangle); r and q are row indices.
  (func $g24 (param $out i32) (param $ob i32) (param $x i32) (param $rb i32) (param $r i32) (param $q i32)
             (param $len i32)
    (local $p0 i32) (local $p1 i32) (local $q0 i32) (local $q1 i32) (local $q2 i32) (local $q3 i32)
    (local $n i32) (local $v0 v128) (local $v1 v128) (local $w v128)
    (local $c00 v128) (local $c01 v128) (local $c02 v128) (local $c03 v128)
    (local $c10 v128) (local $c11 v128) (local $c12 v128) (local $c13 v128)
    (local $e0 f64) (local $e1 f64) (local $o i32)
    (local.set $p0 (i32.add (local.get $x) (i32.mul (local.get $r) (local.get $rb))))
    (local.set $p1 (i32.add (local.get $p0) (local.get $rb)))
    (local.set $q0 (i32.add (local.get $x) (i32.mul (local.get $q) (local.get $rb))))
    (local.set $q1 (i32.add (local.get $q0) (local.get $rb)))
    (local.set $q2 (i32.add (local.get $q1) (local.get $rb)))
    (local.set $q3 (i32.add (local.get $q2) (local.get $rb)))
    (local.set $n (i32.shr_u (local.get $len) (i32.const 1)))
    (block $done
      (br_if $done (i32.eqz (local.get $n)))
      (loop $next
        (local.set $v0 (v128.load (local.get $p0)))
        (local.set $v1 (v128.load (local.get $p1)))
        (local.set $w (v128.load (local.get $q0)))
        (local.set $c00 (f64x2.add (local.get $c00) (f64x2.mul (local.get $v0) (local.get $w)))) ;; @madd
        (local.set $c10 (f64x2.add (local.get $c10) (f64x2.mul (local.get $v1) (local.get $w)))) ;; @madd
        (local.set $w (v128.load (local.get $q1)))
        (local.set $c01 (f64x2.add (local.get $c01) (f64x2.mul (local.get $v0) (local.get $w)))) ;; @madd
        (local.set $c11 (f64x2.add (local.get $c11) (f64x2.mul (local.get $v1) (local.get $w)))) ;; @madd
        (local.set $w (v128.load (local.get $q2)))
        (local.set $c02 (f64x2.add (local.get $c02) (f64x2.mul (local.get $v0) (local.get $w)))) ;; @madd
        (local.set $c12 (f64x2.add (local.get $c12) (f64x2.mul (local.get $v1) (local.get $w)))) ;; @madd
        (local.set $w (v128.load (local.get $q3)))
        (local.set $c03 (f64x2.add (local.get $c03) (f64x2.mul (local.get $v0) (local.get $w)))) ;; @madd
        (local.set $c13 (f64x2.add (local.get $c13) (f64x2.mul (local.get $v1) (local.get $w)))) ;; @madd
        (local.set $p0 (i32.add (local.get $p0) (i32.const 16)))
        (local.set $p1 (i32.add (local.get $p1) (i32.const 16)))
        (local.set $q0 (i32.add (local.get $q0) (i32.const 16)))
        (local.set $q1 (i32.add (local.get $q1) (i32.const 16)))
        (local.set $q2 (i32.add (local.get $q2) (i32.const 16)))
        (local.set $q3 (i32.add (local.get $q3) (i32.const 16)))
        (br_if $next (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
    (if (i32.and (local.get $len) (i32.const 1))
      (then
        (local.set $e0 (f64.load (local.get $p0)))
        (local.set $e1 (f64.load (local.get $p1)))
        (local.set $c00 (f64x2.replace_lane 0 (local.get $c00) (f64.add (f64x2.extract_lane 0 (local.get $c00))
          (f64.mul (local.get $e0) (f64.load (local.get $q0))))))
        (local.set $c10 (f64x2.replace_lane 0 (local.get $c10) (f64.add (f64x2.extract_lane 0 (local.get $c10))
          (f64.mul (local.get $e1) (f64.load (local.get $q0))))))
        (local.set $c01 (f64x2.replace_lane 0 (local.get $c01) (f64.add (f64x2.extract_lane 0 (local.get $c01))
          (f64.mul (local.get $e0) (f64.load (local.get $q1))))))
        (local.set $c11 (f64x2.replace_lane 0 (local.get $c11) (f64.add (f64x2.extract_lane 0 (local.get $c11))
          (f64.mul (local.get $e1) (f64.load (local.get $q1))))))
        (local.set $c02 (f64x2.replace_lane 0 (local.get $c02) (f64.add (f64x2.extract_lane 0 (local.get $c02))
          (f64.mul (local.get $e0) (f64.load (local.get $q2))))))
        (local.set $c12 (f64x2.replace_lane 0 (local.get $c12) (f64.add (f64x2.extract_lane 0 (local.get $c12))
          (f64.mul (local.get $e1) (f64.load (local.get $q2))))))
        (local.set $c03 (f64x2.replace_lane 0 (local.get $c03) (f64.add (f64x2.extract_lane 0 (local.get $c03))
          (f64.mul (local.get $e0) (f64.load (local.get $q3))))))
        (local.set $c13 (f64x2.replace_lane 0 (local.get $c13) (f64.add (f64x2.extract_lane 0 (local.get $c13))
          (f64.mul (local.get $e1) (f64.load (local.get $q3))))))))
    ;; Row r: columns q .. q+3.
    (local.set $o (i32.add (local.get $out) (i32.add (i32.mul (local.get $r) (local.get $ob)) (i32.shl (local.get $q) (i32.const 3)))))
    (call $put (local.get $o) (local.get $c00) (i32.ge_u (local.get $q) (local.get $r)))
    (call $put (i32.add (local.get $o) (i32.const 8)) (local.get $c01) (i32.ge_u (i32.add (local.get $q) (i32.const 1)) (local.get $r)))
    (call $put (i32.add (local.get $o) (i32.const 16)) (local.get $c02) (i32.ge_u (i32.add (local.get $q) (i32.const 2)) (local.get $r)))
    (call $put (i32.add (local.get $o) (i32.const 24)) (local.get $c03) (i32.ge_u (i32.add (local.get $q) (i32.const 3)) (local.get $r)))
    ;; Row r+1.
    (local.set $o (i32.add (local.get $o) (local.get $ob)))
    (local.set $r (i32.add (local.get $r) (i32.const 1)))
    (call $put (local.get $o) (local.get $c10) (i32.ge_u (local.get $q) (local.get $r)))
    (call $put (i32.add (local.get $o) (i32.const 8)) (local.get $c11) (i32.ge_u (i32.add (local.get $q) (i32.const 1)) (local.get $r)))
    (call $put (i32.add (local.get $o) (i32.const 16)) (local.get $c12) (i32.ge_u (i32.add (local.get $q) (i32.const 2)) (local.get $r)))
    (call $put (i32.add (local.get $o) (i32.const 24)) (local.get $c13) (i32.ge_u (i32.add (local.get $q) (i32.const 3)) (local.get $r))))

  ;; Stores lane 0 + lane 1 of v at p when keep is nonzero.
  (func $put (param $p i32) (param $v v128) (param $keep i32)
    (if (local.get $keep)
      (then (f64.store (local.get $p)
        (f64.add (f64x2.extract_lane 0 (local.get $v)) (f64x2.extract_lane 1 (local.get $v)))))))

  ;; The dot of rows r and q (each `len` doubles, rb bytes apart), stored at out + r*ob + q*8.
  (func $g11 (param $out i32) (param $ob i32) (param $x i32) (param $rb i32) (param $r i32) (param $q i32)
             (param $len i32)
    (local $p0 i32) (local $q0 i32) (local $n i32) (local $c v128)
    (local.set $p0 (i32.add (local.get $x) (i32.mul (local.get $r) (local.get $rb))))
    (local.set $q0 (i32.add (local.get $x) (i32.mul (local.get $q) (local.get $rb))))
    (local.set $n (i32.shr_u (local.get $len) (i32.const 1)))
    (block $done
      (br_if $done (i32.eqz (local.get $n)))
      (loop $next
        (local.set $c (f64x2.add (local.get $c) (f64x2.mul (v128.load (local.get $p0)) (v128.load (local.get $q0))))) ;; @madd
        (local.set $p0 (i32.add (local.get $p0) (i32.const 16)))
        (local.set $q0 (i32.add (local.get $q0) (i32.const 16)))
        (br_if $next (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
    (if (i32.and (local.get $len) (i32.const 1))
      (then
        (local.set $c (f64x2.replace_lane 0 (local.get $c) (f64.add (f64x2.extract_lane 0 (local.get $c))
          (f64.mul (f64.load (local.get $p0)) (f64.load (local.get $q0))))))))
    (call $put (i32.add (local.get $out) (i32.add (i32.mul (local.get $r) (local.get $ob)) (i32.shl (local.get $q) (i32.const 3))))
               (local.get $c) (i32.const 1)))

  ;; out[n*m + q] = dot(row n, row q) of A[m x k] for q >= n; the lower triangle is not written.
  ;; Rows go in pairs (the last pair overlapping the one before when m is odd) and columns in
  ;; blocks of four (the last block overlapping when fewer than four remain); overlapping
  ;; blocks recompute identical values, and only entries with q >= n are stored.
  (func (export "gramUpper") (param $out i32) (param $a i32) (param $m i32) (param $k i32)
    (local $ob i32) (local $rb i32) (local $r i32) (local $q i32)
    (local.set $ob (i32.shl (local.get $m) (i32.const 3)))
    (local.set $rb (i32.shl (local.get $k) (i32.const 3)))
    (if (i32.lt_u (local.get $m) (i32.const 2))
      (then
        (if (local.get $m)
          (then (call $g11 (local.get $out) (local.get $ob) (local.get $a) (local.get $rb) (i32.const 0) (i32.const 0) (local.get $k))))
        (return)))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $m)))
        (if (i32.gt_u (i32.add (local.get $r) (i32.const 2)) (local.get $m))
          (then (local.set $r (i32.sub (local.get $m) (i32.const 2)))))
        (local.set $q (local.get $r))
        (block $colsDone
          (loop $cols
            (br_if $colsDone (i32.ge_u (local.get $q) (local.get $m)))
            (if (i32.lt_u (local.get $m) (i32.const 4))
              (then
                ;; Fewer than four columns in all: one pair of dots at a time.
                (call $g11 (local.get $out) (local.get $ob) (local.get $a) (local.get $rb) (local.get $r) (local.get $q) (local.get $k))
                (if (i32.ge_u (local.get $q) (i32.add (local.get $r) (i32.const 1)))
                  (then (call $g11 (local.get $out) (local.get $ob) (local.get $a) (local.get $rb)
                                   (i32.add (local.get $r) (i32.const 1)) (local.get $q) (local.get $k))))
                (local.set $q (i32.add (local.get $q) (i32.const 1)))
                (br $cols)))
            (if (i32.gt_u (i32.add (local.get $q) (i32.const 4)) (local.get $m))
              (then (local.set $q (i32.sub (local.get $m) (i32.const 4)))))
            (call $g24 (local.get $out) (local.get $ob) (local.get $a) (local.get $rb) (local.get $r) (local.get $q) (local.get $k))
            (local.set $q (i32.add (local.get $q) (i32.const 4)))
            (br $cols)))
        (local.set $r (i32.add (local.get $r) (i32.const 2)))
        (br $rows))))

  ;; ---------------------------------------------------------------- elementwise kernels
  ;;
  ;; The activations of elementwise.ts (forward.ts) and the elementwise parts of backprop. The
  ;; loops take n >= 0 doubles in blocks of two (one f64x2) or, for the activations, four (two
  ;; f64x2, whose long exp chains overlap). A last, partial block is computed from full loads that
  ;; read up to three doubles past the range (createWasmArena leaves that much slack past the
  ;; arena, so the loads stay in bounds; the extra lanes are never stored) and stored lane by lane.
  ;; Every kernel uses the same operations in the same order as its JS reference, so all agree
  ;; bit for bit with it (the exponential of expTerms.ts included) but for sumSquares, which sums
  ;; in two lanes.

  ;; Constants of the elementwise kernels, in both lanes (as globals, V8 loads them from memory
  ;; instead of rebuilding each v128.const in registers: about 10% faster). As in expTerms.ts:
  ;; ln2hi + ln2lo = ln2, C2..C13 = 1/n!, shifter = 1.5 * 2^52 (adding it puts an integer-valued
  ;; k in the low mantissa bits), expBias1000 = (1023 + 1000) << 52, minX = the clamp of exp's argument.
  (global $invln2 v128 (v128.const f64x2 1.4426950408889634 1.4426950408889634))
  (global $ln2hi v128 (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01))
  (global $ln2lo v128 (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10))
  (global $C2 v128 (v128.const f64x2 0.5 0.5))
  (global $C3 v128 (v128.const f64x2 0.16666666666666666 0.16666666666666666))
  (global $C4 v128 (v128.const f64x2 0.041666666666666664 0.041666666666666664))
  (global $C5 v128 (v128.const f64x2 0.008333333333333333 0.008333333333333333))
  (global $C6 v128 (v128.const f64x2 0.001388888888888889 0.001388888888888889))
  (global $C7 v128 (v128.const f64x2 0.0001984126984126984 0.0001984126984126984))
  (global $C8 v128 (v128.const f64x2 0.0000248015873015873 0.0000248015873015873))
  (global $C9 v128 (v128.const f64x2 0.0000027557319223985893 0.0000027557319223985893))
  (global $C10 v128 (v128.const f64x2 2.755731922398589e-7 2.755731922398589e-7))
  (global $C11 v128 (v128.const f64x2 2.505210838544172e-8 2.505210838544172e-8))
  (global $C12 v128 (v128.const f64x2 2.08767569878681e-9 2.08767569878681e-9))
  (global $C13 v128 (v128.const f64x2 1.6059043836821613e-10 1.6059043836821613e-10))
  (global $shifter v128 (v128.const f64x2 0x1.8p52 0x1.8p52))
  (global $expBias1000 v128 (v128.const i64x2 0x7e70000000000000 0x7e70000000000000))
  (global $twoM1000 v128 (v128.const f64x2 0x1p-1000 0x1p-1000))
  (global $one v128 (v128.const f64x2 1 1))
  (global $minX v128 (v128.const f64x2 -746 -746))
  (global $minusTwo v128 (v128.const f64x2 -2 -2))
  (global $four v128 (v128.const f64x2 4 4))
  (global $signBit v128 (v128.const i64x2 0x8000000000000000 0x8000000000000000))

;; The activations, as sigmoidInPlace and tanhInto of elementwise.ts, each with a written-out
  ;; copy of the exponential of expTerms.ts (V8 does not inline wasm calls, and a call per vector
  ;; would spill every live one). Its polynomial is evaluated by Estrin's scheme, as there: with
  ;; Horner's the loop was bound by the latency of that one chain. x >= -746 makes k + 1000 >= -77,
  ;; so 2^(k+1000) is a normal double built from the bits of k, and the final scaling by 2^-1000
  ;; is exact unless e^x is subnormal, when it is the one rounding.

  ;; Stores the first n (1 to 3) of the four doubles v0, v1 at p: the tail of a 4-at-a-time loop.
  (func $tail4 (param $p i32) (param $v0 v128) (param $v1 v128) (param $n i32)
    (if (i32.ge_s (local.get $n) (i32.const 2))
      (then
        (v128.store (local.get $p) (local.get $v0))
        (if (i32.eq (local.get $n) (i32.const 3))
          (then (v128.store64_lane offset=16 0 (local.get $p) (local.get $v1)))))
      (else (v128.store64_lane 0 (local.get $p) (local.get $v0)))))

  ;; dst[i] := sigmoid(src[i]), slope[i] := sigmoid'(src[i]) for n doubles (dst may be src):
  ;; e = e^{-|a|}, q = 1 / (1 + e), sigmoid = (a >= 0 ? q : e q), sigmoid' = e q q.
  (func $sigmoids (param $src i32) (param $dst i32) (param $s i32) (param $n i32)
    (local $a0 v128) (local $a1 v128) (local $x0 v128) (local $x1 v128) (local $t0 v128) (local $t1 v128) (local $kd0 v128) (local $kd1 v128) (local $r0 v128) (local $r1 v128) (local $r20 v128) (local $r21 v128) (local $r40 v128) (local $r41 v128) (local $p0 v128) (local $p1 v128) (local $e0 v128) (local $e1 v128) (local $q0 v128) (local $q1 v128) (local $eq0 v128) (local $eq1 v128) (local $v0 v128) (local $v1 v128) (local $sl0 v128) (local $sl1 v128)
    (block $done
      (loop $next
        (br_if $done (i32.le_s (local.get $n) (i32.const 0)))
        (local.set $a0 (v128.load (local.get $src)))
        (local.set $a1 (v128.load offset=16 (local.get $src)))
        (local.set $x0 (f64x2.pmax (f64x2.neg (f64x2.abs (local.get $a0))) (global.get $minX)))
        (local.set $x1 (f64x2.pmax (f64x2.neg (f64x2.abs (local.get $a1))) (global.get $minX)))
        ;; e = e^x as expTerms.ts (a copy of this block is in $sigmoids and in $tanhs)
        (local.set $t0 (f64x2.add (f64x2.mul (local.get $x0) (global.get $invln2)) (global.get $shifter)))
        (local.set $t1 (f64x2.add (f64x2.mul (local.get $x1) (global.get $invln2)) (global.get $shifter)))
        (local.set $kd0 (f64x2.sub (local.get $t0) (global.get $shifter)))
        (local.set $kd1 (f64x2.sub (local.get $t1) (global.get $shifter)))
        (local.set $r0 (f64x2.sub (f64x2.sub (local.get $x0) (f64x2.mul (local.get $kd0) (global.get $ln2hi))) (f64x2.mul (local.get $kd0) (global.get $ln2lo))))
        (local.set $r1 (f64x2.sub (f64x2.sub (local.get $x1) (f64x2.mul (local.get $kd1) (global.get $ln2hi))) (f64x2.mul (local.get $kd1) (global.get $ln2lo))))
        (local.set $r20 (f64x2.mul (local.get $r0) (local.get $r0)))
        (local.set $r21 (f64x2.mul (local.get $r1) (local.get $r1)))
        (local.set $r40 (f64x2.mul (local.get $r20) (local.get $r20)))
        (local.set $r41 (f64x2.mul (local.get $r21) (local.get $r21)))
        (local.set $p0 (f64x2.add (f64x2.add (f64x2.add (global.get $C2) (f64x2.mul (local.get $r0) (global.get $C3))) (f64x2.mul (local.get $r20) (f64x2.add (global.get $C4) (f64x2.mul (local.get $r0) (global.get $C5))))) (f64x2.mul (local.get $r40) (f64x2.add (f64x2.add (f64x2.add (global.get $C6) (f64x2.mul (local.get $r0) (global.get $C7))) (f64x2.mul (local.get $r20) (f64x2.add (global.get $C8) (f64x2.mul (local.get $r0) (global.get $C9))))) (f64x2.mul (local.get $r40) (f64x2.add (f64x2.add (global.get $C10) (f64x2.mul (local.get $r0) (global.get $C11))) (f64x2.mul (local.get $r20) (f64x2.add (global.get $C12) (f64x2.mul (local.get $r0) (global.get $C13))))))))))
        (local.set $p1 (f64x2.add (f64x2.add (f64x2.add (global.get $C2) (f64x2.mul (local.get $r1) (global.get $C3))) (f64x2.mul (local.get $r21) (f64x2.add (global.get $C4) (f64x2.mul (local.get $r1) (global.get $C5))))) (f64x2.mul (local.get $r41) (f64x2.add (f64x2.add (f64x2.add (global.get $C6) (f64x2.mul (local.get $r1) (global.get $C7))) (f64x2.mul (local.get $r21) (f64x2.add (global.get $C8) (f64x2.mul (local.get $r1) (global.get $C9))))) (f64x2.mul (local.get $r41) (f64x2.add (f64x2.add (global.get $C10) (f64x2.mul (local.get $r1) (global.get $C11))) (f64x2.mul (local.get $r21) (f64x2.add (global.get $C12) (f64x2.mul (local.get $r1) (global.get $C13))))))))))
        (local.set $p0 (f64x2.add (local.get $r0) (f64x2.mul (local.get $r20) (local.get $p0))))
        (local.set $p1 (f64x2.add (local.get $r1) (f64x2.mul (local.get $r21) (local.get $p1))))
        (local.set $e0 (i64x2.add (i64x2.shl (local.get $t0) (i32.const 52)) (global.get $expBias1000)))
        (local.set $e1 (i64x2.add (i64x2.shl (local.get $t1) (i32.const 52)) (global.get $expBias1000)))
        (local.set $e0 (f64x2.mul (f64x2.add (local.get $e0) (f64x2.mul (local.get $e0) (local.get $p0))) (global.get $twoM1000)))
        (local.set $e1 (f64x2.mul (f64x2.add (local.get $e1) (f64x2.mul (local.get $e1) (local.get $p1))) (global.get $twoM1000)))
        (local.set $q0 (f64x2.div (global.get $one) (f64x2.add (global.get $one) (local.get $e0))))
        (local.set $q1 (f64x2.div (global.get $one) (f64x2.add (global.get $one) (local.get $e1))))
        (local.set $eq0 (f64x2.mul (local.get $e0) (local.get $q0)))
        (local.set $eq1 (f64x2.mul (local.get $e1) (local.get $q1)))
        (local.set $v0 (v128.bitselect (local.get $q0) (local.get $eq0) (f64x2.ge (local.get $a0) (v128.const f64x2 0 0))))
        (local.set $v1 (v128.bitselect (local.get $q1) (local.get $eq1) (f64x2.ge (local.get $a1) (v128.const f64x2 0 0))))
        (local.set $sl0 (f64x2.mul (local.get $eq0) (local.get $q0)))
        (local.set $sl1 (f64x2.mul (local.get $eq1) (local.get $q1)))
        (if (i32.ge_s (local.get $n) (i32.const 4))
          (then
            (v128.store (local.get $dst) (local.get $v0))
            (v128.store offset=16 (local.get $dst) (local.get $v1))
            (v128.store (local.get $s) (local.get $sl0))
            (v128.store offset=16 (local.get $s) (local.get $sl1)))
          (else
            (call $tail4 (local.get $dst) (local.get $v0) (local.get $v1) (local.get $n))
            (call $tail4 (local.get $s) (local.get $sl0) (local.get $sl1) (local.get $n))))
        (local.set $src (i32.add (local.get $src) (i32.const 32)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
        (local.set $s (i32.add (local.get $s) (i32.const 32)))
        (local.set $n (i32.sub (local.get $n) (i32.const 4)))
        (br $next))))

  ;; dst[i] := tanh(src[i]), slope[i] := tanh'(src[i]) for n doubles (dst may be src): e =
  ;; e^{-2|a|}, m = e - 1 (p itself when k = 0, exact near 0), q = 1 / (1 + e); tanh = |m q| with
  ;; the sign bit of a, tanh' = e q q 4.
  (func $tanhs (param $src i32) (param $dst i32) (param $s i32) (param $n i32)
    (local $a0 v128) (local $a1 v128) (local $x0 v128) (local $x1 v128) (local $t0 v128) (local $t1 v128) (local $kd0 v128) (local $kd1 v128) (local $r0 v128) (local $r1 v128) (local $r20 v128) (local $r21 v128) (local $r40 v128) (local $r41 v128) (local $p0 v128) (local $p1 v128) (local $e0 v128) (local $e1 v128) (local $q0 v128) (local $q1 v128) (local $eq0 v128) (local $eq1 v128) (local $v0 v128) (local $v1 v128) (local $sl0 v128) (local $sl1 v128)
    (block $done
      (loop $next
        (br_if $done (i32.le_s (local.get $n) (i32.const 0)))
        (local.set $a0 (v128.load (local.get $src)))
        (local.set $a1 (v128.load offset=16 (local.get $src)))
        (local.set $x0 (f64x2.pmax (f64x2.mul (f64x2.abs (local.get $a0)) (global.get $minusTwo)) (global.get $minX)))
        (local.set $x1 (f64x2.pmax (f64x2.mul (f64x2.abs (local.get $a1)) (global.get $minusTwo)) (global.get $minX)))
        ;; e = e^x as expTerms.ts (a copy of this block is in $sigmoids and in $tanhs)
        (local.set $t0 (f64x2.add (f64x2.mul (local.get $x0) (global.get $invln2)) (global.get $shifter)))
        (local.set $t1 (f64x2.add (f64x2.mul (local.get $x1) (global.get $invln2)) (global.get $shifter)))
        (local.set $kd0 (f64x2.sub (local.get $t0) (global.get $shifter)))
        (local.set $kd1 (f64x2.sub (local.get $t1) (global.get $shifter)))
        (local.set $r0 (f64x2.sub (f64x2.sub (local.get $x0) (f64x2.mul (local.get $kd0) (global.get $ln2hi))) (f64x2.mul (local.get $kd0) (global.get $ln2lo))))
        (local.set $r1 (f64x2.sub (f64x2.sub (local.get $x1) (f64x2.mul (local.get $kd1) (global.get $ln2hi))) (f64x2.mul (local.get $kd1) (global.get $ln2lo))))
        (local.set $r20 (f64x2.mul (local.get $r0) (local.get $r0)))
        (local.set $r21 (f64x2.mul (local.get $r1) (local.get $r1)))
        (local.set $r40 (f64x2.mul (local.get $r20) (local.get $r20)))
        (local.set $r41 (f64x2.mul (local.get $r21) (local.get $r21)))
        (local.set $p0 (f64x2.add (f64x2.add (f64x2.add (global.get $C2) (f64x2.mul (local.get $r0) (global.get $C3))) (f64x2.mul (local.get $r20) (f64x2.add (global.get $C4) (f64x2.mul (local.get $r0) (global.get $C5))))) (f64x2.mul (local.get $r40) (f64x2.add (f64x2.add (f64x2.add (global.get $C6) (f64x2.mul (local.get $r0) (global.get $C7))) (f64x2.mul (local.get $r20) (f64x2.add (global.get $C8) (f64x2.mul (local.get $r0) (global.get $C9))))) (f64x2.mul (local.get $r40) (f64x2.add (f64x2.add (global.get $C10) (f64x2.mul (local.get $r0) (global.get $C11))) (f64x2.mul (local.get $r20) (f64x2.add (global.get $C12) (f64x2.mul (local.get $r0) (global.get $C13))))))))))
        (local.set $p1 (f64x2.add (f64x2.add (f64x2.add (global.get $C2) (f64x2.mul (local.get $r1) (global.get $C3))) (f64x2.mul (local.get $r21) (f64x2.add (global.get $C4) (f64x2.mul (local.get $r1) (global.get $C5))))) (f64x2.mul (local.get $r41) (f64x2.add (f64x2.add (f64x2.add (global.get $C6) (f64x2.mul (local.get $r1) (global.get $C7))) (f64x2.mul (local.get $r21) (f64x2.add (global.get $C8) (f64x2.mul (local.get $r1) (global.get $C9))))) (f64x2.mul (local.get $r41) (f64x2.add (f64x2.add (global.get $C10) (f64x2.mul (local.get $r1) (global.get $C11))) (f64x2.mul (local.get $r21) (f64x2.add (global.get $C12) (f64x2.mul (local.get $r1) (global.get $C13))))))))))
        (local.set $p0 (f64x2.add (local.get $r0) (f64x2.mul (local.get $r20) (local.get $p0))))
        (local.set $p1 (f64x2.add (local.get $r1) (f64x2.mul (local.get $r21) (local.get $p1))))
        (local.set $e0 (i64x2.add (i64x2.shl (local.get $t0) (i32.const 52)) (global.get $expBias1000)))
        (local.set $e1 (i64x2.add (i64x2.shl (local.get $t1) (i32.const 52)) (global.get $expBias1000)))
        (local.set $e0 (f64x2.mul (f64x2.add (local.get $e0) (f64x2.mul (local.get $e0) (local.get $p0))) (global.get $twoM1000)))
        (local.set $e1 (f64x2.mul (f64x2.add (local.get $e1) (f64x2.mul (local.get $e1) (local.get $p1))) (global.get $twoM1000)))
        (local.set $q0 (f64x2.div (global.get $one) (f64x2.add (global.get $one) (local.get $e0))))
        (local.set $q1 (f64x2.div (global.get $one) (f64x2.add (global.get $one) (local.get $e1))))
        ;; m q, with m = (k = 0 ? p : e - 1)
        (local.set $v0 (f64x2.mul (v128.bitselect (local.get $p0) (f64x2.sub (local.get $e0) (global.get $one)) (f64x2.eq (local.get $kd0) (v128.const f64x2 0 0))) (local.get $q0)))
        (local.set $v1 (f64x2.mul (v128.bitselect (local.get $p1) (f64x2.sub (local.get $e1) (global.get $one)) (f64x2.eq (local.get $kd1) (v128.const f64x2 0 0))) (local.get $q1)))
        (local.set $v0 (v128.or (f64x2.abs (local.get $v0)) (v128.and (local.get $a0) (global.get $signBit))))
        (local.set $v1 (v128.or (f64x2.abs (local.get $v1)) (v128.and (local.get $a1) (global.get $signBit))))
        (local.set $sl0 (f64x2.mul (f64x2.mul (f64x2.mul (local.get $e0) (local.get $q0)) (local.get $q0)) (global.get $four)))
        (local.set $sl1 (f64x2.mul (f64x2.mul (f64x2.mul (local.get $e1) (local.get $q1)) (local.get $q1)) (global.get $four)))
        (if (i32.ge_s (local.get $n) (i32.const 4))
          (then
            (v128.store (local.get $dst) (local.get $v0))
            (v128.store offset=16 (local.get $dst) (local.get $v1))
            (v128.store (local.get $s) (local.get $sl0))
            (v128.store offset=16 (local.get $s) (local.get $sl1)))
          (else
            (call $tail4 (local.get $dst) (local.get $v0) (local.get $v1) (local.get $n))
            (call $tail4 (local.get $s) (local.get $sl0) (local.get $sl1) (local.get $n))))
        (local.set $src (i32.add (local.get $src) (i32.const 32)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
        (local.set $s (i32.add (local.get $s) (i32.const 32)))
        (local.set $n (i32.sub (local.get $n) (i32.const 4)))
        (br $next))))

  ;; dst[i] = x[i] * y[i] for n doubles.
  (func $mul (export "mul") (param $dst i32) (param $x i32) (param $y i32) (param $n i32)
    (local $v v128)
    (block $done
      (loop $next
        (br_if $done (i32.le_s (local.get $n) (i32.const 0)))
        (local.set $v (f64x2.mul (v128.load (local.get $x)) (v128.load (local.get $y))))
        (if (i32.ge_s (local.get $n) (i32.const 2))
          (then (v128.store (local.get $dst) (local.get $v)))
          (else (v128.store64_lane 0 (local.get $dst) (local.get $v))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $y (i32.add (local.get $y) (i32.const 16)))
        (local.set $n (i32.sub (local.get $n) (i32.const 2)))
        (br $next))))

  ;; a[r, j] += b[j] for `rows` rows of g doubles (the bias of every step's pre-activations).
  (func (export "addBias") (param $a i32) (param $rows i32) (param $g i32) (param $b i32)
    (local $pa i32) (local $pb i32) (local $j i32) (local $v v128)
    (block $done
      (loop $row
        (br_if $done (i32.eqz (local.get $rows)))
        (local.set $pa (local.get $a))
        (local.set $pb (local.get $b))
        (local.set $j (local.get $g))
        (block $rowDone
          (loop $next
            (br_if $rowDone (i32.le_s (local.get $j) (i32.const 0)))
            (local.set $v (f64x2.add (v128.load (local.get $pa)) (v128.load (local.get $pb))))
            (if (i32.ge_s (local.get $j) (i32.const 2))
              (then (v128.store (local.get $pa) (local.get $v)))
              (else (v128.store64_lane 0 (local.get $pa) (local.get $v))))
            (local.set $pa (i32.add (local.get $pa) (i32.const 16)))
            (local.set $pb (i32.add (local.get $pb) (i32.const 16)))
            (local.set $j (i32.sub (local.get $j) (i32.const 2)))
            (br $next)))
        (local.set $a (i32.add (local.get $a) (i32.shl (local.get $g) (i32.const 3))))
        (local.set $rows (i32.sub (local.get $rows) (i32.const 1)))
        (br $row))))

  ;; v[i] *= f for n doubles.
  (func (export "scale") (param $p i32) (param $n i32) (param $f f64)
    (local $fv v128) (local $v v128)
    (local.set $fv (f64x2.splat (local.get $f)))
    (block $done
      (loop $next
        (br_if $done (i32.le_s (local.get $n) (i32.const 0)))
        (local.set $v (f64x2.mul (v128.load (local.get $p)) (local.get $fv)))
        (if (i32.ge_s (local.get $n) (i32.const 2))
          (then (v128.store (local.get $p) (local.get $v)))
          (else (v128.store64_lane 0 (local.get $p) (local.get $v))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $n (i32.sub (local.get $n) (i32.const 2)))
        (br $next))))

  ;; RNN step: h[i] := tanh(a[i]), slope[i] := tanh'(a[i]) for n doubles (a is left as it is).
  (func (export "rnnForwardStep") (param $a i32) (param $s i32) (param $h i32) (param $n i32)
    (call $tanhs (local.get $a) (local.get $h) (local.get $s) (local.get $n)))

  ;; One LSTM step over `rows` rows of H units, as lstmForwardStep of elementwise.ts. a: the
  ;; gate pre-activations (rows x 4H: i, f, o, g), replaced by the activations; s: their slopes;
  ;; c: rows x H cells, c_{t-1} (read when prev is 1, else 0) overwritten with c_t; h: the
  ;; step's hidden states (rows x H); k: its backward coefficients (rows x 6H: o tanh'(c), g i',
  ;; cPrev f', tanh(c) o', i g', f). tanh(c) and tanh'(c) pass through the o tanh'(c) and
  ;; tanh(c) o' blocks of k before those are multiplied out.
  (func (export "lstmForwardStep") (param $a i32) (param $s i32) (param $c i32) (param $h i32) (param $k i32)
                                   (param $rows i32) (param $H i32) (param $prev i32)
    (local $hb i32) (local $hb2 i32) (local $hb3 i32) (local $off i32) (local $j i32) (local $two i32)
    (local $pa i32) (local $ps i32) (local $pk i32)
    (local $cp v128) (local $i v128) (local $f v128) (local $g v128) (local $o v128) (local $tc v128)
    (local $cn v128) (local $gi v128) (local $cf v128) (local $ig v128) (local $hn v128) (local $to v128) (local $os v128)
    (local.set $hb (i32.shl (local.get $H) (i32.const 3)))
    (local.set $hb2 (i32.shl (local.get $hb) (i32.const 1)))
    (local.set $hb3 (i32.add (local.get $hb2) (local.get $hb)))
    (block $done
      (loop $row
        (br_if $done (i32.eqz (local.get $rows)))
        (call $sigmoids (local.get $a) (local.get $a) (local.get $s) (i32.mul (local.get $H) (i32.const 3)))
        (call $tanhs (i32.add (local.get $a) (local.get $hb3)) (i32.add (local.get $a) (local.get $hb3))
                     (i32.add (local.get $s) (local.get $hb3)) (local.get $H))
        ;; c = f cPrev + i g, and the coefficients g i', cPrev f', i g', f
        (local.set $off (i32.const 0))
        (local.set $j (local.get $H))
        (block $cellsDone
          (loop $cells
            (br_if $cellsDone (i32.le_s (local.get $j) (i32.const 0)))
            (local.set $two (i32.ge_s (local.get $j) (i32.const 2)))
            (local.set $pa (i32.add (local.get $a) (local.get $off)))
            (local.set $ps (i32.add (local.get $s) (local.get $off)))
            (local.set $pk (i32.add (local.get $k) (local.get $off)))
            (local.set $cp (v128.const f64x2 0 0))
            (if (local.get $prev)
              (then (local.set $cp (v128.load (i32.add (local.get $c) (local.get $off))))))
            (local.set $i (v128.load (local.get $pa)))
            (local.set $f (v128.load (i32.add (local.get $pa) (local.get $hb))))
            (local.set $g (v128.load (i32.add (local.get $pa) (local.get $hb3))))
            (local.set $cn (f64x2.add (f64x2.mul (local.get $f) (local.get $cp)) (f64x2.mul (local.get $i) (local.get $g))))
            (local.set $gi (f64x2.mul (local.get $g) (v128.load (local.get $ps))))
            (local.set $cf (f64x2.mul (local.get $cp) (v128.load (i32.add (local.get $ps) (local.get $hb)))))
            (local.set $ig (f64x2.mul (local.get $i) (v128.load (i32.add (local.get $ps) (local.get $hb3)))))
            (if (local.get $two)
              (then
                (v128.store (i32.add (local.get $c) (local.get $off)) (local.get $cn))
                (v128.store (i32.add (local.get $pk) (local.get $hb)) (local.get $gi))
                (v128.store (i32.add (local.get $pk) (local.get $hb2)) (local.get $cf))
                (v128.store (i32.add (i32.add (local.get $pk) (local.get $hb3)) (local.get $hb)) (local.get $ig))
                (v128.store (i32.add (i32.add (local.get $pk) (local.get $hb3)) (local.get $hb2)) (local.get $f)))
              (else
                (v128.store64_lane 0 (i32.add (local.get $c) (local.get $off)) (local.get $cn))
                (v128.store64_lane 0 (i32.add (local.get $pk) (local.get $hb)) (local.get $gi))
                (v128.store64_lane 0 (i32.add (local.get $pk) (local.get $hb2)) (local.get $cf))
                (v128.store64_lane 0 (i32.add (i32.add (local.get $pk) (local.get $hb3)) (local.get $hb)) (local.get $ig))
                (v128.store64_lane 0 (i32.add (i32.add (local.get $pk) (local.get $hb3)) (local.get $hb2)) (local.get $f))))
            (local.set $off (i32.add (local.get $off) (i32.const 16)))
            (local.set $j (i32.sub (local.get $j) (i32.const 2)))
            (br $cells)))
        ;; tanh(c) into the tanh(c) o' block, tanh'(c) into the o tanh'(c) block
        (call $tanhs (local.get $c) (i32.add (local.get $k) (local.get $hb3)) (local.get $k) (local.get $H))
        ;; h = o tanh(c), then the coefficients o tanh'(c) and tanh(c) o'
        (local.set $off (i32.const 0))
        (local.set $j (local.get $H))
        (block $hiddenDone
          (loop $hidden
            (br_if $hiddenDone (i32.le_s (local.get $j) (i32.const 0)))
            (local.set $two (i32.ge_s (local.get $j) (i32.const 2)))
            (local.set $pk (i32.add (local.get $k) (local.get $off)))
            (local.set $o (v128.load (i32.add (i32.add (local.get $a) (local.get $hb2)) (local.get $off))))
            (local.set $tc (v128.load (i32.add (local.get $pk) (local.get $hb3))))
            (local.set $hn (f64x2.mul (local.get $o) (local.get $tc)))
            (local.set $to (f64x2.mul (local.get $tc) (v128.load (i32.add (i32.add (local.get $s) (local.get $hb2)) (local.get $off)))))
            (local.set $os (f64x2.mul (local.get $o) (v128.load (local.get $pk))))
            (if (local.get $two)
              (then
                (v128.store (i32.add (local.get $h) (local.get $off)) (local.get $hn))
                (v128.store (i32.add (local.get $pk) (local.get $hb3)) (local.get $to))
                (v128.store (local.get $pk) (local.get $os)))
              (else
                (v128.store64_lane 0 (i32.add (local.get $h) (local.get $off)) (local.get $hn))
                (v128.store64_lane 0 (i32.add (local.get $pk) (local.get $hb3)) (local.get $to))
                (v128.store64_lane 0 (local.get $pk) (local.get $os))))
            (local.set $off (i32.add (local.get $off) (i32.const 16)))
            (local.set $j (i32.sub (local.get $j) (i32.const 2)))
            (br $hidden)))
        (local.set $a (i32.add (local.get $a) (i32.shl (local.get $hb) (i32.const 2))))
        (local.set $s (i32.add (local.get $s) (i32.shl (local.get $hb) (i32.const 2))))
        (local.set $c (i32.add (local.get $c) (local.get $hb)))
        (local.set $h (i32.add (local.get $h) (local.get $hb)))
        (local.set $k (i32.add (local.get $k) (i32.mul (local.get $hb) (i32.const 6))))
        (local.set $rows (i32.sub (local.get $rows) (i32.const 1)))
        (br $row))))

  ;; LSTM cell backward over `rows` rows of H units, as lstmCellBackward of elementwise.ts: from
  ;; the step's coefficients k (rows x 6H), dh and dcf (rows x H): total = dcf + dh o tanh'(c)
  ;; -> dct; da = (total g i', total cPrev f', dh tanh(c) o', total i g') (rows x 4H).
  (func (export "lstmCellBackward") (param $k i32) (param $dh i32) (param $dcf i32) (param $dct i32) (param $da i32)
                                    (param $rows i32) (param $H i32)
    (local $hb i32) (local $hb2 i32) (local $hb3 i32) (local $off i32) (local $j i32) (local $two i32)
    (local $pk i32) (local $pd i32) (local $dhv v128) (local $tot v128)
    (local $di v128) (local $df v128) (local $do v128) (local $dg v128)
    (local.set $hb (i32.shl (local.get $H) (i32.const 3)))
    (local.set $hb2 (i32.shl (local.get $hb) (i32.const 1)))
    (local.set $hb3 (i32.add (local.get $hb2) (local.get $hb)))
    (block $done
      (loop $row
        (br_if $done (i32.eqz (local.get $rows)))
        (local.set $off (i32.const 0))
        (local.set $j (local.get $H))
        (block $unitsDone
          (loop $units
            (br_if $unitsDone (i32.le_s (local.get $j) (i32.const 0)))
            (local.set $two (i32.ge_s (local.get $j) (i32.const 2)))
            (local.set $pk (i32.add (local.get $k) (local.get $off)))
            (local.set $pd (i32.add (local.get $da) (local.get $off)))
            (local.set $dhv (v128.load (i32.add (local.get $dh) (local.get $off))))
            (local.set $tot (f64x2.add (v128.load (i32.add (local.get $dcf) (local.get $off)))
                                       (f64x2.mul (local.get $dhv) (v128.load (local.get $pk)))))
            (local.set $di (f64x2.mul (local.get $tot) (v128.load (i32.add (local.get $pk) (local.get $hb)))))
            (local.set $df (f64x2.mul (local.get $tot) (v128.load (i32.add (local.get $pk) (local.get $hb2)))))
            (local.set $do (f64x2.mul (local.get $dhv) (v128.load (i32.add (local.get $pk) (local.get $hb3)))))
            (local.set $dg (f64x2.mul (local.get $tot) (v128.load (i32.add (i32.add (local.get $pk) (local.get $hb3)) (local.get $hb)))))
            (if (local.get $two)
              (then
                (v128.store (i32.add (local.get $dct) (local.get $off)) (local.get $tot))
                (v128.store (local.get $pd) (local.get $di))
                (v128.store (i32.add (local.get $pd) (local.get $hb)) (local.get $df))
                (v128.store (i32.add (local.get $pd) (local.get $hb2)) (local.get $do))
                (v128.store (i32.add (local.get $pd) (local.get $hb3)) (local.get $dg)))
              (else
                (v128.store64_lane 0 (i32.add (local.get $dct) (local.get $off)) (local.get $tot))
                (v128.store64_lane 0 (local.get $pd) (local.get $di))
                (v128.store64_lane 0 (i32.add (local.get $pd) (local.get $hb)) (local.get $df))
                (v128.store64_lane 0 (i32.add (local.get $pd) (local.get $hb2)) (local.get $do))
                (v128.store64_lane 0 (i32.add (local.get $pd) (local.get $hb3)) (local.get $dg))))
            (local.set $off (i32.add (local.get $off) (i32.const 16)))
            (local.set $j (i32.sub (local.get $j) (i32.const 2)))
            (br $units)))
        (local.set $k (i32.add (local.get $k) (i32.mul (local.get $hb) (i32.const 6))))
        (local.set $da (i32.add (local.get $da) (i32.shl (local.get $hb) (i32.const 2))))
        (local.set $dh (i32.add (local.get $dh) (local.get $hb)))
        (local.set $dcf (i32.add (local.get $dcf) (local.get $hb)))
        (local.set $dct (i32.add (local.get $dct) (local.get $hb)))
        (local.set $rows (i32.sub (local.get $rows) (i32.const 1)))
        (br $row))))

  ;; Stores both lanes of v at p when two is nonzero, else lane 0 only.
  (func $put2 (param $p i32) (param $v v128) (param $two i32)
    (if (local.get $two)
      (then (v128.store (local.get $p) (local.get $v)))
      (else (v128.store64_lane 0 (local.get $p) (local.get $v)))))

  ;; The LSTM cell path to the previous step: dcf[n, j] = dct[n, j] * f[n, j] for `rows` rows of
  ;; H units; f: the step's forget gates (rows 6H doubles apart, in the coefficients), dct and
  ;; dcf: rows x H.
  (func (export "lstmCarry") (param $dct i32) (param $f i32) (param $dcf i32) (param $rows i32) (param $H i32)
    (local $hb i32)
    (local.set $hb (i32.shl (local.get $H) (i32.const 3)))
    (block $done
      (loop $row
        (br_if $done (i32.eqz (local.get $rows)))
        (call $mul (local.get $dcf) (local.get $dct) (local.get $f) (local.get $H))
        (local.set $dct (i32.add (local.get $dct) (local.get $hb)))
        (local.set $dcf (i32.add (local.get $dcf) (local.get $hb)))
        (local.set $f (i32.add (local.get $f) (i32.mul (local.get $hb) (i32.const 6))))
        (local.set $rows (i32.sub (local.get $rows) (i32.const 1)))
        (br $row))))

  ;; max |v[i]| over n doubles, 0 for n = 0; NaNs are skipped, as in the JS loop (pmax keeps
  ;; the running maximum when compared with NaN).
  (func (export "maxAbs") (param $p i32) (param $n i32) (result f64)
    (local $m v128) (local $r f64) (local $v f64)
    (block $done
      (loop $next
        (br_if $done (i32.lt_s (local.get $n) (i32.const 2)))
        (local.set $m (f64x2.pmax (local.get $m) (f64x2.abs (v128.load (local.get $p)))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $n (i32.sub (local.get $n) (i32.const 2)))
        (br $next)))
    (local.set $r (f64x2.extract_lane 0 (local.get $m)))
    (local.set $v (f64x2.extract_lane 1 (local.get $m)))
    (if (f64.gt (local.get $v) (local.get $r)) (then (local.set $r (local.get $v))))
    (if (local.get $n)
      (then
        (local.set $v (f64.abs (f64.load (local.get $p))))
        (if (f64.gt (local.get $v) (local.get $r)) (then (local.set $r (local.get $v))))))
    (local.get $r))

  ;; sum of (v[i] * f)^2 over n doubles, in two lanes (even and odd i) added at the end.
  (func (export "sumSquares") (param $p i32) (param $n i32) (param $f f64) (result f64)
    (local $s v128) (local $fv v128) (local $x v128) (local $r f64) (local $y f64)
    (local.set $fv (f64x2.splat (local.get $f)))
    (block $done
      (loop $next
        (br_if $done (i32.lt_s (local.get $n) (i32.const 2)))
        (local.set $x (f64x2.mul (v128.load (local.get $p)) (local.get $fv)))
        (local.set $s (f64x2.add (local.get $s) (f64x2.mul (local.get $x) (local.get $x))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $n (i32.sub (local.get $n) (i32.const 2)))
        (br $next)))
    (local.set $r (f64.add (f64x2.extract_lane 0 (local.get $s)) (f64x2.extract_lane 1 (local.get $s))))
    (if (local.get $n)
      (then
        (local.set $y (f64.mul (f64.load (local.get $p)) (local.get $f)))
        (local.set $r (f64.add (local.get $r) (f64.mul (local.get $y) (local.get $y))))))
    (local.get $r))

  ;; out[j] = sum over the rows n of da[n, j], da: rows x g, summed from 0 in row order: out is
  ;; zeroed, then each row is added to it in turn (rows outer, so a tall da streams through the
  ;; cache once; each column's sum is still 0 + da[0, j] + da[1, j] + ... in that order).
  (func (export "columnSums") (param $da i32) (param $rows i32) (param $g i32) (param $out i32)
    (local $gb i32) (local $p i32) (local $o i32) (local $j i32)
    (local.set $gb (i32.shl (local.get $g) (i32.const 3)))
    (local.set $o (local.get $out))
    (local.set $j (local.get $g))
    (block $zeroed
      (loop $zero
        (br_if $zeroed (i32.le_s (local.get $j) (i32.const 0)))
        (call $put2 (local.get $o) (v128.const f64x2 0 0) (i32.ge_s (local.get $j) (i32.const 2)))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (local.set $j (i32.sub (local.get $j) (i32.const 2)))
        (br $zero)))
    (block $done
      (loop $row
        (br_if $done (i32.eqz (local.get $rows)))
        (local.set $o (local.get $out))
        (local.set $p (local.get $da))
        (local.set $j (local.get $g))
        (block $wideDone
          (loop $wide
            (br_if $wideDone (i32.lt_s (local.get $j) (i32.const 8)))
            (v128.store (local.get $o) (f64x2.add (v128.load (local.get $o)) (v128.load (local.get $p))))
            (v128.store offset=16 (local.get $o) (f64x2.add (v128.load offset=16 (local.get $o)) (v128.load offset=16 (local.get $p))))
            (v128.store offset=32 (local.get $o) (f64x2.add (v128.load offset=32 (local.get $o)) (v128.load offset=32 (local.get $p))))
            (v128.store offset=48 (local.get $o) (f64x2.add (v128.load offset=48 (local.get $o)) (v128.load offset=48 (local.get $p))))
            (local.set $o (i32.add (local.get $o) (i32.const 64)))
            (local.set $p (i32.add (local.get $p) (i32.const 64)))
            (local.set $j (i32.sub (local.get $j) (i32.const 8)))
            (br $wide)))
        (block $pairsDone
          (loop $pairs
            (br_if $pairsDone (i32.lt_s (local.get $j) (i32.const 2)))
            (v128.store (local.get $o) (f64x2.add (v128.load (local.get $o)) (v128.load (local.get $p))))
            (local.set $o (i32.add (local.get $o) (i32.const 16)))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (local.set $j (i32.sub (local.get $j) (i32.const 2)))
            (br $pairs)))
        (if (local.get $j)
          (then (f64.store (local.get $o) (f64.add (f64.load (local.get $o)) (f64.load (local.get $p))))))
        (local.set $da (i32.add (local.get $da) (local.get $gb)))
        (local.set $rows (i32.sub (local.get $rows) (i32.const 1)))
        (br $row))))


  ;; out[i] = sum_j S[i, j] v[j] for a symmetric n x n S, each sum from 0 in j order, mul then
  ;; add (as the JS loop: no fused multiply-add here). S symmetric, row i is column i: the lanes
  ;; run over i, eight rows at a time (four accumulators), reading row j of S for each v[j].
  (func (export "symv") (param $s i32) (param $n i32) (param $v i32) (param $out i32)
    (local $nb i32) (local $i i32) (local $p i32) (local $pv i32) (local $j i32)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128) (local $x v128) (local $c f64)
    (local.set $nb (i32.shl (local.get $n) (i32.const 3)))
    (block $eightsDone
      (loop $eights
        (br_if $eightsDone (i32.gt_s (i32.add (local.get $i) (i32.const 8)) (local.get $n)))
        (local.set $c0 (v128.const f64x2 0 0)) (local.set $c1 (v128.const f64x2 0 0))
        (local.set $c2 (v128.const f64x2 0 0)) (local.set $c3 (v128.const f64x2 0 0))
        (local.set $p (i32.add (local.get $s) (i32.shl (local.get $i) (i32.const 3))))
        (local.set $pv (local.get $v))
        (local.set $j (local.get $n))
        (loop $col
          (local.set $x (v128.load64_splat (local.get $pv)))
          (local.set $c0 (f64x2.add (local.get $c0) (f64x2.mul (v128.load (local.get $p)) (local.get $x))))
          (local.set $c1 (f64x2.add (local.get $c1) (f64x2.mul (v128.load offset=16 (local.get $p)) (local.get $x))))
          (local.set $c2 (f64x2.add (local.get $c2) (f64x2.mul (v128.load offset=32 (local.get $p)) (local.get $x))))
          (local.set $c3 (f64x2.add (local.get $c3) (f64x2.mul (v128.load offset=48 (local.get $p)) (local.get $x))))
          (local.set $p (i32.add (local.get $p) (local.get $nb)))
          (local.set $pv (i32.add (local.get $pv) (i32.const 8)))
          (br_if $col (local.tee $j (i32.sub (local.get $j) (i32.const 1)))))
        (local.set $p (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3))))
        (v128.store (local.get $p) (local.get $c0))
        (v128.store offset=16 (local.get $p) (local.get $c1))
        (v128.store offset=32 (local.get $p) (local.get $c2))
        (v128.store offset=48 (local.get $p) (local.get $c3))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br $eights)))
    (block $pairsDone
      (loop $pairs
        (br_if $pairsDone (i32.gt_s (i32.add (local.get $i) (i32.const 2)) (local.get $n)))
        (local.set $c0 (v128.const f64x2 0 0))
        (local.set $p (i32.add (local.get $s) (i32.shl (local.get $i) (i32.const 3))))
        (local.set $pv (local.get $v))
        (local.set $j (local.get $n))
        (loop $col2
          (local.set $c0 (f64x2.add (local.get $c0) (f64x2.mul (v128.load (local.get $p)) (v128.load64_splat (local.get $pv)))))
          (local.set $p (i32.add (local.get $p) (local.get $nb)))
          (local.set $pv (i32.add (local.get $pv) (i32.const 8)))
          (br_if $col2 (local.tee $j (i32.sub (local.get $j) (i32.const 1)))))
        (v128.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3))) (local.get $c0))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $pairs)))
    (if (i32.lt_s (local.get $i) (local.get $n))
      (then
        (local.set $p (i32.add (local.get $s) (i32.shl (local.get $i) (i32.const 3))))
        (local.set $pv (local.get $v))
        (local.set $j (local.get $n))
        (loop $col1
          (local.set $c (f64.add (local.get $c) (f64.mul (f64.load (local.get $p)) (f64.load (local.get $pv)))))
          (local.set $p (i32.add (local.get $p) (local.get $nb)))
          (local.set $pv (i32.add (local.get $pv) (i32.const 8)))
          (br_if $col1 (local.tee $j (i32.sub (local.get $j) (i32.const 1)))))
        (f64.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3))) (local.get $c)))))
)
