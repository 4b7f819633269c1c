; Members of a comdat stay together: a function with its guard variable and its
; static data (as C++ inline functions have), a comdat named after another symbol, and a
; single-member comdat that is hashed by the comdat's name.
target triple = "x86_64-pc-linux-gnu"

$inline_fn = comdat any
$group = comdat any
$solo = comdat any

@inline_fn.guard = linkonce_odr global i64 0, comdat($inline_fn)
@inline_fn.data = linkonce_odr global [2 x i32] [i32 7, i32 8], comdat($inline_fn)

define linkonce_odr i32 @inline_fn(i32 %x) comdat {
  %g = load i64, ptr @inline_fn.guard
  %d = load i32, ptr @inline_fn.data
  %t = trunc i64 %g to i32
  %s = add i32 %x, %t
  %r = add i32 %s, %d
  ret i32 %r
}

define weak_odr i32 @group_a(i32 %x) comdat($group) {
  %r = call i32 @group_b(i32 %x)
  ret i32 %r
}

define weak_odr i32 @group_b(i32 %x) comdat($group) {
  %r = sub i32 %x, 2
  ret i32 %r
}

define linkonce_odr i32 @solo(i32 %x) comdat {
  %r = xor i32 %x, 5
  ret i32 %r
}

define i32 @user1(i32 %x) {
  %a = call i32 @inline_fn(i32 %x)
  %b = call i32 @solo(i32 %a)
  ret i32 %b
}

define i32 @user2(i32 %x) {
  %a = call i32 @group_a(i32 %x)
  %b = call i32 @inline_fn(i32 %a)
  ret i32 %b
}

define i32 @user3(i32 %x) {
  %a = call i32 @solo(i32 %x)
  ret i32 %a
}
