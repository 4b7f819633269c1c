; A program whose behaviour depends on module-level meaning: three constructors of one
; priority (order matters: each folds its id into @trace), a prioritised one, a keyed
; constructor in its key's comdat (a C++17 inline variable), a destructor, a constant
; table, a thread-local with an initialiser, and an alias. Every constructor calls
; @emit, which writes to stdout, so the optimiser cannot fold any of them away.
target triple = "x86_64-pc-linux-gnu"

$inline_var = comdat any

@trace = global i64 0, align 8
@inline_var = linkonce_odr global i64 0, comdat, align 8
@table = constant [4 x i64] [i64 3, i64 5, i64 7, i64 11], align 8
@counter = thread_local global i64 40, align 8
@counter_alias = alias i64, ptr @trace
@fmt = private unnamed_addr constant [40 x i8] c"trace %ld inline %ld table %ld tls %ld\0A\00", align 1
@fmt_id = private unnamed_addr constant [10 x i8] c"ctor %ld\0A\00", align 1

@llvm.global_ctors = appending global [5 x { i32, ptr, ptr }] [{ i32, ptr, ptr } { i32 65535, ptr @first, ptr null }, { i32, ptr, ptr } { i32 65535, ptr @second, ptr null }, { i32, ptr, ptr } { i32 65535, ptr @init_inline, ptr @inline_var }, { i32, ptr, ptr } { i32 65535, ptr @third, ptr null }, { i32, ptr, ptr } { i32 200, ptr @early, ptr null }]
@llvm.global_dtors = appending global [1 x { i32, ptr, ptr }] [{ i32, ptr, ptr } { i32 65535, ptr @last, ptr null }]

declare i32 @printf(ptr, ...)

define void @emit(i64 %id) noinline {
  %t = load i64, ptr @trace, align 8
  %m = mul i64 %t, 31
  %a = add i64 %m, %id
  store i64 %a, ptr @trace, align 8
  %r = call i32 (ptr, ...) @printf(ptr @fmt_id, i64 %id)
  ret void
}

define internal void @first() {
  call void @emit(i64 1)
  ret void
}

define internal void @second() {
  call void @emit(i64 2)
  ret void
}

define internal void @third() {
  call void @emit(i64 3)
  ret void
}

define internal void @early() {
  call void @emit(i64 9)
  ret void
}

define internal void @init_inline() comdat($inline_var) {
  %t = load i64, ptr @trace, align 8
  store i64 %t, ptr @inline_var, align 8
  call void @emit(i64 4)
  ret void
}

define internal void @last() {
  call void @emit(i64 5)
  ret void
}

define i64 @table_sum() noinline {
  %p0 = getelementptr [4 x i64], ptr @table, i64 0, i64 0
  %p3 = getelementptr [4 x i64], ptr @table, i64 0, i64 3
  %a = load i64, ptr %p0, align 8
  %b = load i64, ptr %p3, align 8
  %s = add i64 %a, %b
  ret i64 %s
}

define i64 @bump() noinline {
  %p = call ptr @llvm.threadlocal.address.p0(ptr @counter)
  %v = load i64, ptr %p, align 8
  %n = add i64 %v, 2
  store i64 %n, ptr %p, align 8
  ret i64 %n
}

declare ptr @llvm.threadlocal.address.p0(ptr)

define i32 @main() {
  %t = load i64, ptr @counter_alias, align 8
  %i = load i64, ptr @inline_var, align 8
  %s = call i64 @table_sum()
  %c = call i64 @bump()
  %r = call i32 (ptr, ...) @printf(ptr @fmt, i64 %t, i64 %i, i64 %s, i64 %c)
  ret i32 0
}
