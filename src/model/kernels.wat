;; The one kernel the fast engine spends its time in: C = A B^T (or C += A B^T), in WebAssembly with 128-bit SIMD
;; (two doubles per instruction). The same contract as gemmNT in tensor.ts, which is the plain-JavaScript twin and
;; the fallback: A is m×k, B is n×k, C is m×n, all row-major and contiguous; a, b, c are BYTE offsets into memory.
;;
;; Shape of the loops: two rows of A against four rows of B at a time, so each loaded pair of doubles feeds four
;; (or two) multiply-adds; the k loop walks both operands along contiguous rows, two doubles per step, with a
;; scalar tail when k is odd. Leftover columns (n mod 4) and a leftover row (m odd, e.g. the matrix–vector
;; products of a single sequence, m = 1) use the same pattern with fewer accumulators.
;; Built into src/kernels-wasm.ts by scripts/build-wasm.mjs (wabt); a test checks the two agree.
(module
  (memory (export "memory") 1)

  ;; the sum of the two lanes, plus x[k−1]·y[k−1] when k is odd (the scalar tail)
  (func $finish (param $s v128) (param $x i32) (param $y i32) (param $kb i32) (param $odd i32) (result f64)
    (local $r f64)
    (local.set $r (f64.add (f64x2.extract_lane 0 (local.get $s)) (f64x2.extract_lane 1 (local.get $s))))
    (if (local.get $odd)
      (then (local.set $r (f64.add (local.get $r)
        (f64.mul (f64.load (i32.sub (i32.add (local.get $x) (local.get $kb)) (i32.const 8)))
                 (f64.load (i32.sub (i32.add (local.get $y) (local.get $kb)) (i32.const 8))))))))
    (local.get $r))

  ;; C[addr] = v, or C[addr] += v
  (func $put (param $addr i32) (param $v f64) (param $acc i32)
    (if (local.get $acc)
      (then (f64.store (local.get $addr) (f64.add (f64.load (local.get $addr)) (local.get $v))))
      (else (f64.store (local.get $addr) (local.get $v)))))

  ;; one row of A against one row of B: a dot product, two lanes at a time
  (func $dot (param $x i32) (param $y i32) (param $kb2 i32) (result v128)
    (local $q i32) (local $s v128)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $q) (local.get $kb2)))
      (local.set $s (f64x2.add (local.get $s)
        (f64x2.mul (v128.load (i32.add (local.get $x) (local.get $q))) (v128.load (i32.add (local.get $y) (local.get $q))))))
      (local.set $q (i32.add (local.get $q) (i32.const 16)))
      (br $next)))
    (local.get $s))

  (func (export "gemmNT") (param $m i32) (param $n i32) (param $k i32) (param $a i32) (param $b i32) (param $c i32) (param $acc i32)
    (local $kb i32) (local $kb2 i32) (local $odd i32) (local $nb i32)
    (local $i i32) (local $j i32) (local $q i32)
    (local $a0 i32) (local $a1 i32) (local $b0 i32) (local $b1 i32) (local $b2 i32) (local $b3 i32) (local $c0 i32) (local $c1 i32)
    (local $x0 v128) (local $x1 v128) (local $y v128)
    (local $s00 v128) (local $s01 v128) (local $s02 v128) (local $s03 v128)
    (local $s10 v128) (local $s11 v128) (local $s12 v128) (local $s13 v128)
    (local.set $kb (i32.shl (local.get $k) (i32.const 3)))          ;; a row of A or B, in bytes
    (local.set $odd (i32.and (local.get $k) (i32.const 1)))
    (local.set $kb2 (i32.shl (i32.and (local.get $k) (i32.const -2)) (i32.const 3))) ;; the even part of k, in bytes
    (local.set $nb (i32.shl (local.get $n) (i32.const 3)))          ;; a row of C, in bytes

    ;; rows of A two at a time
    (local.set $i (i32.const 0))
    (block $rowsDone (loop $rows
      (br_if $rowsDone (i32.gt_s (i32.add (local.get $i) (i32.const 2)) (local.get $m)))
      (local.set $a0 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $kb))))
      (local.set $a1 (i32.add (local.get $a0) (local.get $kb)))
      (local.set $c0 (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $nb))))
      (local.set $c1 (i32.add (local.get $c0) (local.get $nb)))
      (local.set $j (i32.const 0))
      (block $colsDone (loop $cols
        (br_if $colsDone (i32.gt_s (i32.add (local.get $j) (i32.const 4)) (local.get $n)))
        (local.set $b0 (i32.add (local.get $b) (i32.mul (local.get $j) (local.get $kb))))
        (local.set $b1 (i32.add (local.get $b0) (local.get $kb)))
        (local.set $b2 (i32.add (local.get $b1) (local.get $kb)))
        (local.set $b3 (i32.add (local.get $b2) (local.get $kb)))
        (local.set $s00 (v128.const f64x2 0 0)) (local.set $s01 (v128.const f64x2 0 0))
        (local.set $s02 (v128.const f64x2 0 0)) (local.set $s03 (v128.const f64x2 0 0))
        (local.set $s10 (v128.const f64x2 0 0)) (local.set $s11 (v128.const f64x2 0 0))
        (local.set $s12 (v128.const f64x2 0 0)) (local.set $s13 (v128.const f64x2 0 0))
        (local.set $q (i32.const 0))
        (block $kDone (loop $kLoop
          (br_if $kDone (i32.ge_u (local.get $q) (local.get $kb2)))
          (local.set $x0 (v128.load (i32.add (local.get $a0) (local.get $q))))
          (local.set $x1 (v128.load (i32.add (local.get $a1) (local.get $q))))
          (local.set $y (v128.load (i32.add (local.get $b0) (local.get $q))))
          (local.set $s00 (f64x2.add (local.get $s00) (f64x2.mul (local.get $x0) (local.get $y))))
          (local.set $s10 (f64x2.add (local.get $s10) (f64x2.mul (local.get $x1) (local.get $y))))
          (local.set $y (v128.load (i32.add (local.get $b1) (local.get $q))))
          (local.set $s01 (f64x2.add (local.get $s01) (f64x2.mul (local.get $x0) (local.get $y))))
          (local.set $s11 (f64x2.add (local.get $s11) (f64x2.mul (local.get $x1) (local.get $y))))
          (local.set $y (v128.load (i32.add (local.get $b2) (local.get $q))))
          (local.set $s02 (f64x2.add (local.get $s02) (f64x2.mul (local.get $x0) (local.get $y))))
          (local.set $s12 (f64x2.add (local.get $s12) (f64x2.mul (local.get $x1) (local.get $y))))
          (local.set $y (v128.load (i32.add (local.get $b3) (local.get $q))))
          (local.set $s03 (f64x2.add (local.get $s03) (f64x2.mul (local.get $x0) (local.get $y))))
          (local.set $s13 (f64x2.add (local.get $s13) (f64x2.mul (local.get $x1) (local.get $y))))
          (local.set $q (i32.add (local.get $q) (i32.const 16)))
          (br $kLoop)))
        (call $put (i32.add (local.get $c0) (i32.shl (local.get $j) (i32.const 3)))
          (call $finish (local.get $s00) (local.get $a0) (local.get $b0) (local.get $kb) (local.get $odd)) (local.get $acc))
        (call $put (i32.add (local.get $c0) (i32.shl (i32.add (local.get $j) (i32.const 1)) (i32.const 3)))
          (call $finish (local.get $s01) (local.get $a0) (local.get $b1) (local.get $kb) (local.get $odd)) (local.get $acc))
        (call $put (i32.add (local.get $c0) (i32.shl (i32.add (local.get $j) (i32.const 2)) (i32.const 3)))
          (call $finish (local.get $s02) (local.get $a0) (local.get $b2) (local.get $kb) (local.get $odd)) (local.get $acc))
        (call $put (i32.add (local.get $c0) (i32.shl (i32.add (local.get $j) (i32.const 3)) (i32.const 3)))
          (call $finish (local.get $s03) (local.get $a0) (local.get $b3) (local.get $kb) (local.get $odd)) (local.get $acc))
        (call $put (i32.add (local.get $c1) (i32.shl (local.get $j) (i32.const 3)))
          (call $finish (local.get $s10) (local.get $a1) (local.get $b0) (local.get $kb) (local.get $odd)) (local.get $acc))
        (call $put (i32.add (local.get $c1) (i32.shl (i32.add (local.get $j) (i32.const 1)) (i32.const 3)))
          (call $finish (local.get $s11) (local.get $a1) (local.get $b1) (local.get $kb) (local.get $odd)) (local.get $acc))
        (call $put (i32.add (local.get $c1) (i32.shl (i32.add (local.get $j) (i32.const 2)) (i32.const 3)))
          (call $finish (local.get $s12) (local.get $a1) (local.get $b2) (local.get $kb) (local.get $odd)) (local.get $acc))
        (call $put (i32.add (local.get $c1) (i32.shl (i32.add (local.get $j) (i32.const 3)) (i32.const 3)))
          (call $finish (local.get $s13) (local.get $a1) (local.get $b3) (local.get $kb) (local.get $odd)) (local.get $acc))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $cols)))
      ;; leftover columns (n mod 4), still two rows
      (block $restDone (loop $rest
        (br_if $restDone (i32.ge_s (local.get $j) (local.get $n)))
        (local.set $b0 (i32.add (local.get $b) (i32.mul (local.get $j) (local.get $kb))))
        (call $put (i32.add (local.get $c0) (i32.shl (local.get $j) (i32.const 3)))
          (call $finish (call $dot (local.get $a0) (local.get $b0) (local.get $kb2)) (local.get $a0) (local.get $b0) (local.get $kb) (local.get $odd)) (local.get $acc))
        (call $put (i32.add (local.get $c1) (i32.shl (local.get $j) (i32.const 3)))
          (call $finish (call $dot (local.get $a1) (local.get $b0) (local.get $kb2)) (local.get $a1) (local.get $b0) (local.get $kb) (local.get $odd)) (local.get $acc))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $rest)))
      (local.set $i (i32.add (local.get $i) (i32.const 2)))
      (br $rows)))

    ;; the last row when m is odd (all of it when m = 1): one row of A against four rows of B at a time
    (if (i32.lt_s (local.get $i) (local.get $m)) (then
      (local.set $a0 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $kb))))
      (local.set $c0 (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $nb))))
      (local.set $j (i32.const 0))
      (block $colsDone1 (loop $cols1
        (br_if $colsDone1 (i32.gt_s (i32.add (local.get $j) (i32.const 4)) (local.get $n)))
        (local.set $b0 (i32.add (local.get $b) (i32.mul (local.get $j) (local.get $kb))))
        (local.set $b1 (i32.add (local.get $b0) (local.get $kb)))
        (local.set $b2 (i32.add (local.get $b1) (local.get $kb)))
        (local.set $b3 (i32.add (local.get $b2) (local.get $kb)))
        (local.set $s00 (v128.const f64x2 0 0)) (local.set $s01 (v128.const f64x2 0 0))
        (local.set $s02 (v128.const f64x2 0 0)) (local.set $s03 (v128.const f64x2 0 0))
        (local.set $q (i32.const 0))
        (block $kDone1 (loop $kLoop1
          (br_if $kDone1 (i32.ge_u (local.get $q) (local.get $kb2)))
          (local.set $x0 (v128.load (i32.add (local.get $a0) (local.get $q))))
          (local.set $s00 (f64x2.add (local.get $s00) (f64x2.mul (local.get $x0) (v128.load (i32.add (local.get $b0) (local.get $q))))))
          (local.set $s01 (f64x2.add (local.get $s01) (f64x2.mul (local.get $x0) (v128.load (i32.add (local.get $b1) (local.get $q))))))
          (local.set $s02 (f64x2.add (local.get $s02) (f64x2.mul (local.get $x0) (v128.load (i32.add (local.get $b2) (local.get $q))))))
          (local.set $s03 (f64x2.add (local.get $s03) (f64x2.mul (local.get $x0) (v128.load (i32.add (local.get $b3) (local.get $q))))))
          (local.set $q (i32.add (local.get $q) (i32.const 16)))
          (br $kLoop1)))
        (call $put (i32.add (local.get $c0) (i32.shl (local.get $j) (i32.const 3)))
          (call $finish (local.get $s00) (local.get $a0) (local.get $b0) (local.get $kb) (local.get $odd)) (local.get $acc))
        (call $put (i32.add (local.get $c0) (i32.shl (i32.add (local.get $j) (i32.const 1)) (i32.const 3)))
          (call $finish (local.get $s01) (local.get $a0) (local.get $b1) (local.get $kb) (local.get $odd)) (local.get $acc))
        (call $put (i32.add (local.get $c0) (i32.shl (i32.add (local.get $j) (i32.const 2)) (i32.const 3)))
          (call $finish (local.get $s02) (local.get $a0) (local.get $b2) (local.get $kb) (local.get $odd)) (local.get $acc))
        (call $put (i32.add (local.get $c0) (i32.shl (i32.add (local.get $j) (i32.const 3)) (i32.const 3)))
          (call $finish (local.get $s03) (local.get $a0) (local.get $b3) (local.get $kb) (local.get $odd)) (local.get $acc))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $cols1)))
      (block $restDone1 (loop $rest1
        (br_if $restDone1 (i32.ge_s (local.get $j) (local.get $n)))
        (local.set $b0 (i32.add (local.get $b) (i32.mul (local.get $j) (local.get $kb))))
        (call $put (i32.add (local.get $c0) (i32.shl (local.get $j) (i32.const 3)))
          (call $finish (call $dot (local.get $a0) (local.get $b0) (local.get $kb2)) (local.get $a0) (local.get $b0) (local.get $kb) (local.get $odd)) (local.get $acc))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $rest1)))))
  )
)
