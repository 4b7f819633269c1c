; Aliases (of a function, of an alias, into the middle of a variable, exporting an
; internal function) and an ifunc whose resolver picks an implementation from a global
; that an initializer sets. Callers live elsewhere, and compare alias and aliasee
; addresses (equal: LLVM must not fold them apart where both are only declared).
target triple = "x86_64-pc-linux-gnu"

@table = global [4 x i32] [i32 10, i32 20, i32 30, i32 40]
@third = alias i32, getelementptr inbounds ([4 x i32], ptr @table, i64 0, i64 2)
@choose_fast = internal global i32 1
@.fmt = private unnamed_addr constant [19 x i8] c"%d %d %d %d %d %d\0A\00"

declare i32 @printf(ptr, ...)

define i32 @impl(i32 %x) {
  %r = add i32 %x, 100
  ret i32 %r
}

@impl_alias = alias i32 (i32), ptr @impl
@impl_alias2 = alias i32 (i32), ptr @impl_alias

define internal i32 @hidden_impl(i32 %x) {
  %r = mul i32 %x, 7
  ret i32 %r
}

@exported = alias i32 (i32), ptr @hidden_impl

define internal i32 @slow_square(i32 %x) {
  %r = mul i32 %x, %x
  %s = add i32 %r, 1000
  ret i32 %s
}

define internal i32 @fast_square(i32 %x) {
  %r = mul i32 %x, %x
  ret i32 %r
}

define internal ptr @resolve_square() {
  %f = load i32, ptr @choose_fast
  %c = icmp ne i32 %f, 0
  %p = select i1 %c, ptr @fast_square, ptr @slow_square
  ret ptr %p
}

@square = ifunc i32 (i32), ptr @resolve_square

define i32 @use_aliases(i32 %x) {
  %a = call i32 @impl_alias2(i32 %x)
  %b = call i32 @exported(i32 %a)
  ret i32 %b
}

define i32 @use_ifunc(i32 %x) {
  %r = call i32 @square(i32 %x)
  ret i32 %r
}

define i32 @main() {
  %a = call i32 @use_aliases(i32 1)
  %b = call i32 @use_ifunc(i32 9)
  %c = load i32, ptr @third
  %d = call i32 @impl_alias(i32 2)
  %same = icmp eq ptr @impl_alias2, @impl
  %e = zext i1 %same to i32
  %same2 = icmp eq ptr @third, getelementptr inbounds ([4 x i32], ptr @table, i64 0, i64 2)
  %f = zext i1 %same2 to i32
  %r = call i32 (ptr, ...) @printf(ptr @.fmt, i32 %a, i32 %b, i32 %c, i32 %d, i32 %e, i32 %f)
  ret i32 0
}
