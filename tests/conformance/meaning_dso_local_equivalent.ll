; dso_local_equivalent and no_cfi: a relative table (offsets from each slot to
; dso_local_equivalent functions, as relative vtables are built), pointers through
; dso_local_equivalent, and one through no_cfi. The callers compute and call the
; targets; the targets are internal (promoted when apart) and external.
target triple = "x86_64-pc-linux-gnu"

@rel_table = internal unnamed_addr constant [2 x i32] [i32 trunc (i64 sub (i64 ptrtoint (ptr dso_local_equivalent @target_a to i64), i64 ptrtoint (ptr @rel_table to i64)) to i32), i32 trunc (i64 sub (i64 ptrtoint (ptr dso_local_equivalent @target_b to i64), i64 ptrtoint (ptr getelementptr inbounds ([2 x i32], ptr @rel_table, i64 0, i64 1) to i64)) to i32)], align 4
@.fmt = private unnamed_addr constant [16 x i8] c"%d %d %d %d %d\0A\00"

declare i32 @printf(ptr, ...)

define internal i32 @target_a(i32 %x) {
  %r = add i32 %x, 1
  ret i32 %r
}

define i32 @target_b(i32 %x) {
  %r = mul i32 %x, 10
  ret i32 %r
}

define i32 @call_relative(i32 %i, i32 %x) {
  %idx = sext i32 %i to i64
  %slot = getelementptr [2 x i32], ptr @rel_table, i64 0, i64 %idx
  %off = load i32, ptr %slot
  %off64 = sext i32 %off to i64
  %f = getelementptr i8, ptr %slot, i64 %off64
  %r = call i32 %f(i32 %x)
  ret i32 %r
}

define ptr @get_equivalent() {
  ret ptr dso_local_equivalent @target_a
}

define ptr @get_equivalent_b() {
  ret ptr dso_local_equivalent @target_b
}

define ptr @get_no_cfi() {
  ret ptr no_cfi @target_b
}

define i32 @main() {
  %a = call i32 @call_relative(i32 0, i32 5)
  %b = call i32 @call_relative(i32 1, i32 5)
  %p = call ptr @get_equivalent_b()
  %c = call i32 %p(i32 7)
  %q = call ptr @get_equivalent()
  %d = call i32 %q(i32 8)
  %n = call ptr @get_no_cfi()
  %e = call i32 %n(i32 9)
  %r = call i32 (ptr, ...) @printf(ptr @.fmt, i32 %a, i32 %b, i32 %c, i32 %d, i32 %e)
  ret i32 0
}
