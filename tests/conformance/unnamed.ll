; Unnamed globals (@0, @1) and a quoted name: they are referenced by number or quoted
; token and must keep resolving after the split.
target triple = "x86_64-pc-linux-gnu"

@0 = internal global i32 1
@1 = private unnamed_addr constant [3 x i8] c"ab\00"
@"quoted name" = global i32 2

define internal i32 @2(i32 %x) {
  %v = load i32, ptr @0
  %r = add i32 %x, %v
  ret i32 %r
}

define i32 @uses_unnamed(i32 %x) {
  %r = call i32 @2(i32 %x)
  %q = load i32, ptr @"quoted name"
  %s = add i32 %r, %q
  ret i32 %s
}

define ptr @string() {
  ret ptr @1
}

define i32 @"with space"(i32 %x) {
  %r = call i32 @2(i32 %x)
  ret i32 %r
}
