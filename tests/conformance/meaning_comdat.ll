; Comdats of both kinds ELF has: `any` (the linker keeps one copy of the group) with a
; function, its data and an internal member, and `nodeduplicate` (a plain section group:
; the linker must see exactly one). Members are used from functions elsewhere, so a
; split that separates a group, or defines it twice, changes the objects.
target triple = "x86_64-pc-linux-gnu"

$any_grp = comdat any
$nodup = comdat nodeduplicate
$inline_fn = comdat any

@any_data = linkonce_odr global i32 5, comdat($any_grp)
@any_local = internal global i32 6, comdat($any_grp)
@nodup_data = global i32 9, comdat($nodup)
@nodup_local = internal global i32 10, comdat($nodup)
@.fmt = private unnamed_addr constant [13 x i8] c"%d %d %d %d\0A\00"

declare i32 @printf(ptr, ...)

define linkonce_odr i32 @any_fn(i32 %x) comdat($any_grp) {
  %a = load i32, ptr @any_data
  %b = load i32, ptr @any_local
  %s = add i32 %a, %b
  %r = add i32 %s, %x
  ret i32 %r
}

define i32 @nodup_fn(i32 %x) comdat($nodup) {
  %a = load i32, ptr @nodup_data
  %b = load i32, ptr @nodup_local
  %s = mul i32 %a, %b
  %r = add i32 %s, %x
  ret i32 %r
}

define linkonce_odr i32 @inline_fn(i32 %x) comdat {
  %r = mul i32 %x, 3
  ret i32 %r
}

define i32 @user_any(i32 %x) {
  %r = call i32 @any_fn(i32 %x)
  ret i32 %r
}

define i32 @user_nodup(i32 %x) {
  %r = call i32 @nodup_fn(i32 %x)
  %l = load i32, ptr @nodup_local
  %s = add i32 %r, %l
  ret i32 %s
}

define i32 @user_inline(i32 %x) {
  %r = call i32 @inline_fn(i32 %x)
  %l = load i32, ptr @any_local
  %s = add i32 %r, %l
  ret i32 %s
}

define i32 @main() {
  %a = call i32 @user_any(i32 1)
  %b = call i32 @user_nodup(i32 2)
  %c = call i32 @user_inline(i32 3)
  %d = call i32 @inline_fn(i32 4)
  %r = call i32 (ptr, ...) @printf(ptr @.fmt, i32 %a, i32 %b, i32 %c, i32 %d)
  ret i32 0
}
