; available_externally: a function and a variable whose real definitions are in
; another object (the program links one in). Code generation never emits them; every
; partition that uses them must reference the external definition, and none may define
; them. Their bodies may only be used for optimisation.
target triple = "x86_64-pc-linux-gnu"

@ae_var = available_externally global i32 7, align 4
@.fmt = private unnamed_addr constant [10 x i8] c"%d %d %d\0A\00"

declare i32 @printf(ptr, ...)
declare i32 @ae_counter()

define available_externally i32 @ae_fn(i32 %x) {
  %r = mul i32 %x, 3
  ret i32 %r
}

define i32 @use_fn(i32 %x) {
  %r = call i32 @ae_fn(i32 %x)
  ret i32 %r
}

define i32 @use_var() {
  %v = load i32, ptr @ae_var
  ret i32 %v
}

define i32 @main() {
  %a = call i32 @use_fn(i32 5)
  %b = call i32 @use_var()
  %c = call i32 @ae_counter()
  %r = call i32 (ptr, ...) @printf(ptr @.fmt, i32 %a, i32 %b, i32 %c)
  ret i32 0
}
