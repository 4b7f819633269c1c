; llvm.used and llvm.compiler.used keep internal globals alive that nothing references:
; registrations in a named section found through __start_/__stop_, and an internal
; function. reg_d is in neither list, so the optimiser may drop it (serial does too).
target triple = "x86_64-pc-linux-gnu"

@reg_a = internal constant i32 1, section "pcg_reg"
@reg_b = internal constant i32 2, section "pcg_reg"
@reg_c = internal constant i32 4, section "pcg_reg"
@reg_d = internal constant i32 8, section "pcg_reg"
@__start_pcg_reg = external hidden global i32
@__stop_pcg_reg = external hidden global i32
@.fmt = private unnamed_addr constant [10 x i8] c"%d %d %d\0A\00"

@llvm.used = appending global [3 x ptr] [ptr @reg_a, ptr @reg_c, ptr @used_fn], section "llvm.metadata"
@llvm.compiler.used = appending global [1 x ptr] [ptr @reg_b], section "llvm.metadata"

declare i32 @printf(ptr, ...)

define internal void @used_fn() section "pcg_used_text" {
  ret void
}

define i32 @sum_registry() {
entry:
  br label %loop
loop:
  %p = phi ptr [ @__start_pcg_reg, %entry ], [ %next, %body ]
  %sum = phi i32 [ 0, %entry ], [ %s2, %body ]
  %done = icmp eq ptr %p, @__stop_pcg_reg
  br i1 %done, label %out, label %body
body:
  %v = load i32, ptr %p
  %s2 = add i32 %sum, %v
  %next = getelementptr i32, ptr %p, i64 1
  br label %loop
out:
  ret i32 %sum
}

define i32 @count_registry() {
  %e = ptrtoint ptr @__stop_pcg_reg to i64
  %b = ptrtoint ptr @__start_pcg_reg to i64
  %d = sub i64 %e, %b
  %n = lshr i64 %d, 2
  %r = trunc i64 %n to i32
  ret i32 %r
}

define i32 @main() {
  %s = call i32 @sum_registry()
  %n = call i32 @count_registry()
  %r = call i32 (ptr, ...) @printf(ptr @.fmt, i32 %s, i32 %n, i32 0)
  ret i32 0
}
