;; MT19937 block generation and numpy's polar-method attempts for numpyRandomState.ts, in
;; WebAssembly (i32x4 SIMD for the twist and the tempering). Compiled into mt19937Binary.ts by
;; `node scripts/codegen/build-wasm-mt19937.mjs` (wabt is a devDependency).
;;
;; One page of memory holds one generator (mt19937Block.ts swaps generators' states in and out):
;;   [0, 2496)       mt: the 624 state words
;;   [2560, 5056)    out: the tempered outputs of the current block (out[i] = temper(mt[i]))
;;   [5120, 5136)    last: (x1, r2) of the last point accepted by $skip (f64, f64)
;;   [5184, 54336)   pts: up to 2048 accepted points written by $points, (x1, x2, r2) each
;; A stream position `pos` (0..624, in words, 624 = block used up) is kept by the caller and
;; passed in and out; pos may be any value, so a 4-word attempt may straddle two blocks.
;;
;; Bit-exactness: a polar attempt is numpy's
;;   x1 = 2.0 * ((a1 >> 5) * 67108864.0 + (b1 >> 6)) / 9007199254740992.0 - 1.0 (x2 likewise),
;;   r2 = x1 * x1 + x2 * x2, rejected when r2 >= 1.0 or r2 == 0.0,
;; computed here as x1 = ((a1 >> 5) * 67108864.0 + (b1 >> 6)) * 0x1p-52 - 1.0, which is the same
;; double: the sum is an integer below 2^53 (exact), and / 2^53 then * 2 is * 2^-52, exact as
;; well; every remaining operation is the same IEEE operation in the same order (wasm never fuses
;; or reassociates f64 arithmetic), and (a >> 5), (b >> 6) < 2^27 convert exactly as signed.
(module
  (memory (export "memory") 1 1)

  (global $MT i32 (i32.const 0))
  (global $OUT i32 (i32.const 2560))
  (global $LAST i32 (i32.const 5120))
  (global $PTS i32 (i32.const 5184))
  ;; The word position used by $take (only for the attempts that straddle a block's end).
  (global $p (mut i32) (i32.const 0))

  ;; One word of the twist, k in scalar: y = (mt[k] & UPPER) | (mt[k+1] & LOWER) (k1 = k + 1 mod 624),
  ;; mt[k] = mt[km] ^ (y >> 1) ^ (-(y & 1) & MATRIX_A), out[k] = temper(mt[k]).
  (func $twist1 (param $k i32) (param $k1 i32) (param $km i32)
    (local $y i32) (local $v i32)
    (local.set $y (i32.or
      (i32.and (i32.load (i32.shl (local.get $k) (i32.const 2))) (i32.const 0x80000000))
      (i32.and (i32.load (i32.shl (local.get $k1) (i32.const 2))) (i32.const 0x7fffffff))))
    (local.set $v (i32.xor
      (i32.xor (i32.load (i32.shl (local.get $km) (i32.const 2))) (i32.shr_u (local.get $y) (i32.const 1)))
      (i32.and (i32.sub (i32.const 0) (i32.and (local.get $y) (i32.const 1))) (i32.const 0x9908b0df))))
    (i32.store (i32.shl (local.get $k) (i32.const 2)) (local.get $v))
    (local.set $v (i32.xor (local.get $v) (i32.shr_u (local.get $v) (i32.const 11))))
    (local.set $v (i32.xor (local.get $v) (i32.and (i32.shl (local.get $v) (i32.const 7)) (i32.const 0x9d2c5680))))
    (local.set $v (i32.xor (local.get $v) (i32.and (i32.shl (local.get $v) (i32.const 15)) (i32.const 0xefc60000))))
    (i32.store (i32.add (global.get $OUT) (i32.shl (local.get $k) (i32.const 2)))
      (i32.xor (local.get $v) (i32.shr_u (local.get $v) (i32.const 18)))))

  ;; The next block: twists all 624 words of mt in place and tempers them into out, four words
  ;; at a time where no lane reads a word written by the same vector step:
  ;;  - words 0..223 (56 vectors) xor with the old mt[k+397] (up to mt[620], not yet twisted);
  ;;  - words 224..226 one by one (their mt[k+397] reach mt[623]);
  ;;  - words 227..622 (99 vectors) xor with the new mt[k-227] (up to mt[395], twisted already)
  ;;    and read the old mt[k+1..k+4] (up to mt[623]);
  ;;  - word 623 wraps to mt[0] and mt[396].
  (func $regen (export "regen")
    (local $kb i32) (local $y v128) (local $v v128)
    (local.set $kb (i32.const 0))
    (loop $a
      ;; four words k..k+3 at byte offset (local.get $kb), xor operand at (i32.add (local.get $kb) (i32.const 1588))
      (local.set $y (v128.or
        (v128.and (v128.load (local.get $kb)) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))
        (v128.and (v128.load offset=4 (local.get $kb)) (v128.const i32x4 0x7fffffff 0x7fffffff 0x7fffffff 0x7fffffff))))
      (local.set $v (v128.xor
        (v128.xor (v128.load (i32.add (local.get $kb) (i32.const 1588))) (i32x4.shr_u (local.get $y) (i32.const 1)))
        (v128.and
          (i32x4.sub (v128.const i32x4 0 0 0 0) (v128.and (local.get $y) (v128.const i32x4 1 1 1 1)))
          (v128.const i32x4 0x9908b0df 0x9908b0df 0x9908b0df 0x9908b0df))))
      (v128.store (local.get $kb) (local.get $v))
      ;; tempering
      (local.set $v (v128.xor (local.get $v) (i32x4.shr_u (local.get $v) (i32.const 11))))
      (local.set $v (v128.xor (local.get $v)
        (v128.and (i32x4.shl (local.get $v) (i32.const 7)) (v128.const i32x4 0x9d2c5680 0x9d2c5680 0x9d2c5680 0x9d2c5680))))
      (local.set $v (v128.xor (local.get $v)
        (v128.and (i32x4.shl (local.get $v) (i32.const 15)) (v128.const i32x4 0xefc60000 0xefc60000 0xefc60000 0xefc60000))))
      (v128.store offset=2560 (local.get $kb)
        (v128.xor (local.get $v) (i32x4.shr_u (local.get $v) (i32.const 18))))
      (local.set $kb (i32.add (local.get $kb) (i32.const 16)))
      (br_if $a (i32.lt_u (local.get $kb) (i32.const 896))))
    (call $twist1 (i32.const 224) (i32.const 225) (i32.const 621))
    (call $twist1 (i32.const 225) (i32.const 226) (i32.const 622))
    (call $twist1 (i32.const 226) (i32.const 227) (i32.const 623))
    (local.set $kb (i32.const 908))
    (loop $b
      ;; four words k..k+3 at byte offset (local.get $kb), xor operand at (i32.sub (local.get $kb) (i32.const 908))
      (local.set $y (v128.or
        (v128.and (v128.load (local.get $kb)) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))
        (v128.and (v128.load offset=4 (local.get $kb)) (v128.const i32x4 0x7fffffff 0x7fffffff 0x7fffffff 0x7fffffff))))
      (local.set $v (v128.xor
        (v128.xor (v128.load (i32.sub (local.get $kb) (i32.const 908))) (i32x4.shr_u (local.get $y) (i32.const 1)))
        (v128.and
          (i32x4.sub (v128.const i32x4 0 0 0 0) (v128.and (local.get $y) (v128.const i32x4 1 1 1 1)))
          (v128.const i32x4 0x9908b0df 0x9908b0df 0x9908b0df 0x9908b0df))))
      (v128.store (local.get $kb) (local.get $v))
      ;; tempering
      (local.set $v (v128.xor (local.get $v) (i32x4.shr_u (local.get $v) (i32.const 11))))
      (local.set $v (v128.xor (local.get $v)
        (v128.and (i32x4.shl (local.get $v) (i32.const 7)) (v128.const i32x4 0x9d2c5680 0x9d2c5680 0x9d2c5680 0x9d2c5680))))
      (local.set $v (v128.xor (local.get $v)
        (v128.and (i32x4.shl (local.get $v) (i32.const 15)) (v128.const i32x4 0xefc60000 0xefc60000 0xefc60000 0xefc60000))))
      (v128.store offset=2560 (local.get $kb)
        (v128.xor (local.get $v) (i32x4.shr_u (local.get $v) (i32.const 18))))
      (local.set $kb (i32.add (local.get $kb) (i32.const 16)))
      (br_if $b (i32.lt_u (local.get $kb) (i32.const 2492))))
    (call $twist1 (i32.const 623) (i32.const 0) (i32.const 396)))

  ;; The word at global $p, regenerating first when the block is used up; advances $p.
  (func $take (result i32)
    (local $w i32)
    (if (i32.eq (global.get $p) (i32.const 624))
      (then (call $regen) (global.set $p (i32.const 0))))
    (local.set $w (i32.load offset=2560 (i32.shl (global.get $p) (i32.const 2))))
    (global.set $p (i32.add (global.get $p) (i32.const 1)))
    (local.get $w))

  ;; One attempt from word $p, word by word (for an attempt across a block's end): sets $ax1,
  ;; $ax2, $ar2 and returns 1 when the point is accepted.
  (global $ax1 (mut f64) (f64.const 0))
  (global $ax2 (mut f64) (f64.const 0))
  (global $ar2 (mut f64) (f64.const 0))
  (func $attemptSlow (result i32)
    (local $x1 f64) (local $x2 f64) (local $r2 f64)
    (local.set $x1 (f64.sub
              (f64.mul
                (f64.add
                  (f64.mul (f64.convert_i32_s (i32.shr_u (call $take) (i32.const 5))) (f64.const 67108864.0))
                  (f64.convert_i32_s (i32.shr_u (call $take) (i32.const 6))))
                (f64.const 0x1p-52))
              (f64.const 1.0)))
    (local.set $x2 (f64.sub
              (f64.mul
                (f64.add
                  (f64.mul (f64.convert_i32_s (i32.shr_u (call $take) (i32.const 5))) (f64.const 67108864.0))
                  (f64.convert_i32_s (i32.shr_u (call $take) (i32.const 6))))
                (f64.const 0x1p-52))
              (f64.const 1.0)))
    (local.set $r2 (f64.add (f64.mul (local.get $x1) (local.get $x1)) (f64.mul (local.get $x2) (local.get $x2))))
    (global.set $ax1 (local.get $x1))
    (global.set $ax2 (local.get $x2))
    (global.set $ar2 (local.get $r2))
    (i32.and (f64.lt (local.get $r2) (f64.const 1.0)) (f64.ne (local.get $r2) (f64.const 0.0))))

  ;; How many of the 156 attempts of a whole block (words 0..623) are accepted. Two attempts
  ;; (eight words a1 b1 a2 b2 a3 b3 a4 b4) per step: $a = a1 a2 a3 a4 >> 5, $b = b1 b2 b3 b4 >> 6,
  ;; so that the low halves give $q0 = (x1, x2) of the first attempt and the high halves
  ;; $q1 = (x1, x2) of the second; $r2v = their r2 (x1*x1 + x2*x2, each product rounded, then
  ;; the sum, exactly as in scalar code); $okv = -1 in the lanes of the accepted attempts.
  (func $countBlock (result i32)
    (local $addr i32) (local $acc v128)
    (local $w0 v128) (local $w1 v128) (local $a v128) (local $b v128)
    (local $q0 v128) (local $q1 v128) (local $s0 v128) (local $s1 v128) (local $r2v v128) (local $okv v128)
    (local.set $addr (global.get $OUT))
    (local.set $acc (v128.const i64x2 0 0))
    (loop $l
      ;; two attempts (eight words) at $addr, see $countBlock
      (local.set $w0 (v128.load (local.get $addr)))
      (local.set $w1 (v128.load offset=16 (local.get $addr)))
      (local.set $a (i32x4.shr_u
        (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $w0) (local.get $w1)) (i32.const 5)))
      (local.set $b (i32x4.shr_u
        (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $w0) (local.get $w1)) (i32.const 6)))
      (local.set $q0 (f64x2.sub
        (f64x2.mul
          (f64x2.add
            (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $a)) (v128.const f64x2 67108864.0 67108864.0))
            (f64x2.convert_low_i32x4_s (local.get $b)))
          (v128.const f64x2 0x1p-52 0x1p-52))
        (v128.const f64x2 1.0 1.0)))
      (local.set $a (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a) (local.get $a)))
      (local.set $b (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $b) (local.get $b)))
      (local.set $q1 (f64x2.sub
        (f64x2.mul
          (f64x2.add
            (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $a)) (v128.const f64x2 67108864.0 67108864.0))
            (f64x2.convert_low_i32x4_s (local.get $b)))
          (v128.const f64x2 0x1p-52 0x1p-52))
        (v128.const f64x2 1.0 1.0)))
      (local.set $s0 (f64x2.mul (local.get $q0) (local.get $q0)))
      (local.set $s1 (f64x2.mul (local.get $q1) (local.get $q1)))
      (local.set $r2v (f64x2.add
        (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $s0) (local.get $s1))
        (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $s0) (local.get $s1))))
      (local.set $okv (v128.and
        (f64x2.lt (local.get $r2v) (v128.const f64x2 1.0 1.0))
        (f64x2.ne (local.get $r2v) (v128.const f64x2 0.0 0.0))))
      (local.set $acc (i64x2.sub (local.get $acc) (local.get $okv)))
      (local.set $addr (i32.add (local.get $addr) (i32.const 32)))
      (br_if $l (i32.lt_u (local.get $addr) (i32.const 5056))))
    (i32.add (i32.wrap_i64 (i64x2.extract_lane 0 (local.get $acc))) (i32.wrap_i64 (i64x2.extract_lane 1 (local.get $acc)))))

  ;; Runs polar attempts from word $pos until $n points are accepted ($n >= 1); stores the last
  ;; accepted (x1, r2) at $LAST and returns the new position. A block that starts fresh is first
  ;; counted and passed over whole when it holds fewer than $n accepted points. Within the
  ;; block where the skip ends, attempts go two at a time (SIMD) while more than two points
  ;; remain (so the pair cannot hold the last one), then one at a time, branch-free.
  (func (export "skip") (param $pos i32) (param $n i32) (result i32)
    (local $addr i32) (local $x1 f64) (local $x2 f64) (local $r2 f64) (local $ok i32)
    (local $c i32) (local $lx1 f64) (local $lr2 f64)
    (local $w0 v128) (local $w1 v128) (local $a v128) (local $b v128)
    (local $q0 v128) (local $q1 v128) (local $s0 v128) (local $s1 v128) (local $r2v v128) (local $okv v128)
    (loop $outer
      (block $scan
        (br_if $scan (i32.ne (local.get $pos) (i32.const 624)))
        (call $regen)
        (local.set $c (call $countBlock))
        (if (i32.lt_u (local.get $c) (local.get $n))
          (then
            (local.set $n (i32.sub (local.get $n) (local.get $c)))
            (br $outer)))
        (local.set $pos (i32.const 0)))
      (if (i32.gt_u (local.get $pos) (i32.const 620))
        (then
          ;; an attempt across the block's end
          (global.set $p (local.get $pos))
          (local.set $ok (call $attemptSlow))
          (local.set $pos (global.get $p))
          (local.set $lx1 (select (global.get $ax1) (local.get $lx1) (local.get $ok)))
          (local.set $lr2 (select (global.get $ar2) (local.get $lr2) (local.get $ok)))
          (local.set $n (i32.sub (local.get $n) (local.get $ok))))
        (else
          ;; whole attempts within the block
          (local.set $addr (i32.add (global.get $OUT) (i32.shl (local.get $pos) (i32.const 2))))
          (loop $inner
            (if (i32.and
                  (i32.gt_u (local.get $n) (i32.const 2))
                  (i32.le_u (local.get $addr) (i32.const 5024))) ;; OUT + 616*4: eight words fit
              (then
                ;; two attempts (eight words) at $addr, see $countBlock
                (local.set $w0 (v128.load (local.get $addr)))
                (local.set $w1 (v128.load offset=16 (local.get $addr)))
                (local.set $a (i32x4.shr_u
                  (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $w0) (local.get $w1)) (i32.const 5)))
                (local.set $b (i32x4.shr_u
                  (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $w0) (local.get $w1)) (i32.const 6)))
                (local.set $q0 (f64x2.sub
                  (f64x2.mul
                    (f64x2.add
                      (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $a)) (v128.const f64x2 67108864.0 67108864.0))
                      (f64x2.convert_low_i32x4_s (local.get $b)))
                    (v128.const f64x2 0x1p-52 0x1p-52))
                  (v128.const f64x2 1.0 1.0)))
                (local.set $a (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a) (local.get $a)))
                (local.set $b (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $b) (local.get $b)))
                (local.set $q1 (f64x2.sub
                  (f64x2.mul
                    (f64x2.add
                      (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $a)) (v128.const f64x2 67108864.0 67108864.0))
                      (f64x2.convert_low_i32x4_s (local.get $b)))
                    (v128.const f64x2 0x1p-52 0x1p-52))
                  (v128.const f64x2 1.0 1.0)))
                (local.set $s0 (f64x2.mul (local.get $q0) (local.get $q0)))
                (local.set $s1 (f64x2.mul (local.get $q1) (local.get $q1)))
                (local.set $r2v (f64x2.add
                  (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $s0) (local.get $s1))
                  (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $s0) (local.get $s1))))
                (local.set $okv (v128.and
                  (f64x2.lt (local.get $r2v) (v128.const f64x2 1.0 1.0))
                  (f64x2.ne (local.get $r2v) (v128.const f64x2 0.0 0.0))))
                (local.set $n (i32.sub (local.get $n) (i32.popcnt (i64x2.bitmask (local.get $okv)))))
                (local.set $addr (i32.add (local.get $addr) (i32.const 32))))
              (else
                (local.set $x1 (f64.sub
                              (f64.mul
                                (f64.add
                                  (f64.mul (f64.convert_i32_s (i32.shr_u (i32.load (local.get $addr)) (i32.const 5))) (f64.const 67108864.0))
                                  (f64.convert_i32_s (i32.shr_u (i32.load offset=4 (local.get $addr)) (i32.const 6))))
                                (f64.const 0x1p-52))
                              (f64.const 1.0)))
                (local.set $x2 (f64.sub
                              (f64.mul
                                (f64.add
                                  (f64.mul (f64.convert_i32_s (i32.shr_u (i32.load offset=8 (local.get $addr)) (i32.const 5))) (f64.const 67108864.0))
                                  (f64.convert_i32_s (i32.shr_u (i32.load offset=12 (local.get $addr)) (i32.const 6))))
                                (f64.const 0x1p-52))
                              (f64.const 1.0)))
                (local.set $r2 (f64.add (f64.mul (local.get $x1) (local.get $x1)) (f64.mul (local.get $x2) (local.get $x2))))
                (local.set $ok (i32.and (f64.lt (local.get $r2) (f64.const 1.0)) (f64.ne (local.get $r2) (f64.const 0.0))))
                (local.set $lx1 (select (local.get $x1) (local.get $lx1) (local.get $ok)))
                (local.set $lr2 (select (local.get $r2) (local.get $lr2) (local.get $ok)))
                (local.set $n (i32.sub (local.get $n) (local.get $ok)))
                (local.set $addr (i32.add (local.get $addr) (i32.const 16)))))
            ;; continue while points remain and the next attempt fits: addr <= OUT + 620*4
            (br_if $inner (i32.and
              (i32.ne (local.get $n) (i32.const 0))
              (i32.le_u (local.get $addr) (i32.const 5040)))))
          (local.set $pos (i32.shr_u (i32.sub (local.get $addr) (global.get $OUT)) (i32.const 2)))))
      (br_if $outer (i32.ne (local.get $n) (i32.const 0))))
    (f64.store (global.get $LAST) (local.get $lx1))
    (f64.store offset=8 (global.get $LAST) (local.get $lr2))
    (local.get $pos))

  ;; Runs attempts from word $pos until $n points are accepted (1 <= $n <= 2048), writing each
  ;; accepted point's (x1, x2, r2) to pts in order; returns the new position. Branch-free: every
  ;; attempt is written, and a rejected one is overwritten by the next. Two attempts at a time
  ;; (SIMD) while at least two points remain (so the first of the pair cannot be the last point).
  (func (export "points") (param $pos i32) (param $n i32) (result i32)
    (local $addr i32) (local $x1 f64) (local $x2 f64) (local $r2 f64) (local $ok i32)
    (local $dst i32) (local $m i32)
    (local $w0 v128) (local $w1 v128) (local $a v128) (local $b v128)
    (local $q0 v128) (local $q1 v128) (local $s0 v128) (local $s1 v128) (local $r2v v128) (local $okv v128)
    (local.set $dst (global.get $PTS))
    (loop $outer
      (if (i32.gt_u (local.get $pos) (i32.const 620))
        (then
          ;; an attempt across the block's end (or the first of a new block)
          (global.set $p (local.get $pos))
          (local.set $ok (call $attemptSlow))
          (local.set $pos (global.get $p))
          (f64.store (local.get $dst) (global.get $ax1))
          (f64.store offset=8 (local.get $dst) (global.get $ax2))
          (f64.store offset=16 (local.get $dst) (global.get $ar2))
          (local.set $dst (i32.add (local.get $dst) (i32.mul (local.get $ok) (i32.const 24))))
          (local.set $n (i32.sub (local.get $n) (local.get $ok))))
        (else
          (local.set $addr (i32.add (global.get $OUT) (i32.shl (local.get $pos) (i32.const 2))))
          (loop $inner
            (if (i32.and
                  (i32.gt_u (local.get $n) (i32.const 1))
                  (i32.le_u (local.get $addr) (i32.const 5024)))
              (then
                ;; two attempts (eight words) at $addr, see $countBlock
                (local.set $w0 (v128.load (local.get $addr)))
                (local.set $w1 (v128.load offset=16 (local.get $addr)))
                (local.set $a (i32x4.shr_u
                  (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $w0) (local.get $w1)) (i32.const 5)))
                (local.set $b (i32x4.shr_u
                  (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $w0) (local.get $w1)) (i32.const 6)))
                (local.set $q0 (f64x2.sub
                  (f64x2.mul
                    (f64x2.add
                      (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $a)) (v128.const f64x2 67108864.0 67108864.0))
                      (f64x2.convert_low_i32x4_s (local.get $b)))
                    (v128.const f64x2 0x1p-52 0x1p-52))
                  (v128.const f64x2 1.0 1.0)))
                (local.set $a (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a) (local.get $a)))
                (local.set $b (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $b) (local.get $b)))
                (local.set $q1 (f64x2.sub
                  (f64x2.mul
                    (f64x2.add
                      (f64x2.mul (f64x2.convert_low_i32x4_s (local.get $a)) (v128.const f64x2 67108864.0 67108864.0))
                      (f64x2.convert_low_i32x4_s (local.get $b)))
                    (v128.const f64x2 0x1p-52 0x1p-52))
                  (v128.const f64x2 1.0 1.0)))
                (local.set $s0 (f64x2.mul (local.get $q0) (local.get $q0)))
                (local.set $s1 (f64x2.mul (local.get $q1) (local.get $q1)))
                (local.set $r2v (f64x2.add
                  (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $s0) (local.get $s1))
                  (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $s0) (local.get $s1))))
                (local.set $okv (v128.and
                  (f64x2.lt (local.get $r2v) (v128.const f64x2 1.0 1.0))
                  (f64x2.ne (local.get $r2v) (v128.const f64x2 0.0 0.0))))
                (local.set $m (i64x2.bitmask (local.get $okv)))
                (v128.store (local.get $dst) (local.get $q0))
                (f64.store offset=16 (local.get $dst) (f64x2.extract_lane 0 (local.get $r2v)))
                (local.set $dst (i32.add (local.get $dst) (i32.mul (i32.and (local.get $m) (i32.const 1)) (i32.const 24))))
                (v128.store (local.get $dst) (local.get $q1))
                (f64.store offset=16 (local.get $dst) (f64x2.extract_lane 1 (local.get $r2v)))
                (local.set $dst (i32.add (local.get $dst) (i32.mul (i32.shr_u (local.get $m) (i32.const 1)) (i32.const 24))))
                (local.set $n (i32.sub (local.get $n) (i32.popcnt (local.get $m))))
                (local.set $addr (i32.add (local.get $addr) (i32.const 32))))
              (else
                (local.set $x1 (f64.sub
                              (f64.mul
                                (f64.add
                                  (f64.mul (f64.convert_i32_s (i32.shr_u (i32.load (local.get $addr)) (i32.const 5))) (f64.const 67108864.0))
                                  (f64.convert_i32_s (i32.shr_u (i32.load offset=4 (local.get $addr)) (i32.const 6))))
                                (f64.const 0x1p-52))
                              (f64.const 1.0)))
                (local.set $x2 (f64.sub
                              (f64.mul
                                (f64.add
                                  (f64.mul (f64.convert_i32_s (i32.shr_u (i32.load offset=8 (local.get $addr)) (i32.const 5))) (f64.const 67108864.0))
                                  (f64.convert_i32_s (i32.shr_u (i32.load offset=12 (local.get $addr)) (i32.const 6))))
                                (f64.const 0x1p-52))
                              (f64.const 1.0)))
                (local.set $r2 (f64.add (f64.mul (local.get $x1) (local.get $x1)) (f64.mul (local.get $x2) (local.get $x2))))
                (local.set $ok (i32.and (f64.lt (local.get $r2) (f64.const 1.0)) (f64.ne (local.get $r2) (f64.const 0.0))))
                (f64.store (local.get $dst) (local.get $x1))
                (f64.store offset=8 (local.get $dst) (local.get $x2))
                (f64.store offset=16 (local.get $dst) (local.get $r2))
                (local.set $dst (i32.add (local.get $dst) (i32.mul (local.get $ok) (i32.const 24))))
                (local.set $n (i32.sub (local.get $n) (local.get $ok)))
                (local.set $addr (i32.add (local.get $addr) (i32.const 16)))))
            (br_if $inner (i32.and
              (i32.ne (local.get $n) (i32.const 0))
              (i32.le_u (local.get $addr) (i32.const 5040)))))
          (local.set $pos (i32.shr_u (i32.sub (local.get $addr) (global.get $OUT)) (i32.const 2)))))
      (br_if $outer (i32.ne (local.get $n) (i32.const 0))))
    (local.get $pos))
)
