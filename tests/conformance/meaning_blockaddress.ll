; blockaddress: a computed-goto table of block addresses in a global, and a function
; elsewhere that takes a block's address and compares it with the table's. The
; addresses only mean something next to the function they point into.
target triple = "x86_64-pc-linux-gnu"

@table = internal constant [3 x ptr] [ptr blockaddress(@interp, %op_inc), ptr blockaddress(@interp, %op_dbl), ptr blockaddress(@interp, %op_end)]
@.fmt = private unnamed_addr constant [7 x i8] c"%d %d\0A\00"

declare i32 @printf(ptr, ...)

define i32 @interp(ptr %code) {
entry:
  br label %next
next:
  %pc = phi i64 [ 0, %entry ], [ %pc1, %op_inc ], [ %pc1, %op_dbl ]
  %acc = phi i32 [ 1, %entry ], [ %inc, %op_inc ], [ %dbl, %op_dbl ]
  %op.p = getelementptr i8, ptr %code, i64 %pc
  %op = load i8, ptr %op.p
  %idx = zext i8 %op to i64
  %slot = getelementptr [3 x ptr], ptr @table, i64 0, i64 %idx
  %dest = load ptr, ptr %slot
  %pc1 = add i64 %pc, 1
  indirectbr ptr %dest, [label %op_inc, label %op_dbl, label %op_end]
op_inc:
  %inc = add i32 %acc, 1
  br label %next
op_dbl:
  %dbl = mul i32 %acc, 2
  br label %next
op_end:
  ret i32 %acc
}

define ptr @addr_of_dbl() {
  ret ptr blockaddress(@interp, %op_dbl)
}

define i32 @same_as_table() {
  %a = call ptr @addr_of_dbl()
  %t = load ptr, ptr getelementptr ([3 x ptr], ptr @table, i64 0, i64 1)
  %eq = icmp eq ptr %a, %t
  %r = zext i1 %eq to i32
  ret i32 %r
}

@prog = internal constant [6 x i8] c"\00\01\00\01\01\02"

define i32 @main() {
  %v = call i32 @interp(ptr @prog)
  %s = call i32 @same_as_table()
  %r = call i32 (ptr, ...) @printf(ptr @.fmt, i32 %v, i32 %s)
  ret i32 0
}
