; Discardable definitions: linkonce_odr functions and variables used only from other
; functions (which may land in other partitions: the owner must then keep them), one
; used nowhere, internal functions used only elsewhere, and an internal one used by
; nobody. Dropping a definition some partition uses breaks the link.
target triple = "x86_64-pc-linux-gnu"

@lo_var = linkonce_odr global i32 11, align 4
@lo_const = linkonce_odr constant [3 x i32] [i32 1, i32 2, i32 3], align 4
@lo_unused_var = linkonce_odr global i32 99, align 4
@.fmt = private unnamed_addr constant [13 x i8] c"%d %d %d %d\0A\00"

declare i32 @printf(ptr, ...)

define linkonce_odr i32 @lo_fn(i32 %x) {
  %r = add i32 %x, 5
  ret i32 %r
}

define linkonce i32 @lo_plain(i32 %x) {
  %r = sub i32 %x, 5
  ret i32 %r
}

define linkonce_odr i32 @lo_unused(i32 %x) {
  ret i32 %x
}

define internal i32 @int_fn(i32 %x) {
  %r = mul i32 %x, 4
  ret i32 %r
}

define internal i32 @int_unused(i32 %x) {
  ret i32 %x
}

define i32 @user_a(i32 %x) {
  %a = call i32 @lo_fn(i32 %x)
  %v = load i32, ptr @lo_var
  %s = add i32 %a, %v
  ret i32 %s
}

define i32 @user_b(i32 %x) {
  %a = call i32 @int_fn(i32 %x)
  %p = getelementptr [3 x i32], ptr @lo_const, i64 0, i64 2
  %v = load i32, ptr %p
  %s = add i32 %a, %v
  ret i32 %s
}

define i32 @user_c(i32 %x) {
  %a = call i32 @lo_plain(i32 %x)
  %b = call i32 @lo_fn(i32 %a)
  ret i32 %b
}

define i32 @main() {
  %a = call i32 @user_a(i32 1)
  %b = call i32 @user_b(i32 2)
  %c = call i32 @user_c(i32 3)
  %d = call i32 @int_fn(i32 4)
  %r = call i32 (ptr, ...) @printf(ptr @.fmt, i32 %a, i32 %b, i32 %c, i32 %d)
  ret i32 0
}
