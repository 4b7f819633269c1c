; pcodegen vs serial: a keyed and an unkeyed constructor of one priority. The objects
; use .ctors (llvmlite target machine, no UseInitArray), where LLVM does not keep list
; order between entries in different sections (the keyed one is in its comdat group).
; clang -O0 (init_array) prints 12; pcodegen --serial -O0 prints 21; --serial -O2 prints 12
; (GlobalOpt folds @first into initialisers); --parts 2 -O2 prints 21 (@first cannot be
; folded where @trace is in another partition), and the validator reports no reorder.
;   pcodegen compile ctor_order_keyed_unkeyed.ll --parts 2 --strategy round-robin --opt 2 -o p && cc p/part-*.o
target triple = "x86_64-pc-linux-gnu"

$kv = comdat any
@trace = internal global i64 0, align 8
@kv = linkonce_odr global i64 0, comdat, align 8
@llvm.global_ctors = appending global [2 x { i32, ptr, ptr }] [{ i32, ptr, ptr } { i32 1000, ptr @first, ptr null }, { i32, ptr, ptr } { i32 1000, ptr @second, ptr @kv }]

define void @first() {
  %t = load i64, ptr @trace, align 8
  %m = mul i64 %t, 10
  %n = add i64 %m, 1
  store i64 %n, ptr @trace, align 8
  ret void
}

define internal void @second() comdat($kv) {
  %t = load i64, ptr @trace, align 8
  %m = mul i64 %t, 10
  %n = add i64 %m, 2
  store i64 %n, ptr @trace, align 8
  ret void
}

declare i32 @printf(ptr, ...)
@fmt = private constant [6 x i8] c"%lld\0A\00"

define i32 @main() {
  %t = load i64, ptr @trace, align 8
  call i32 (ptr, ...) @printf(ptr @fmt, i64 %t)
  ret i32 0
}
