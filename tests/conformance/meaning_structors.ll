; llvm.global_ctors / llvm.global_dtors: unkeyed and keyed entries (the key a comdat
; variable), several priorities, several entries of one priority. Each structor logs a
; letter; main prints the constructor log, the destructors print theirs at exit. The
; order printed is the meaning: priority order, then list order within a priority.
target triple = "x86_64-pc-linux-gnu"

$key_var = comdat any

@log = internal global [32 x i8] zeroinitializer
@pos = internal global i32 0
@key_var = linkonce_odr global i32 7, comdat
@.fmt = private unnamed_addr constant [17 x i8] c"ctors %s key %d\0A\00"

@llvm.global_ctors = appending global [7 x { i32, ptr, ptr }] [{ i32, ptr, ptr } { i32 65535, ptr @ctor_a, ptr null }, { i32, ptr, ptr } { i32 200, ptr @ctor_b, ptr null }, { i32, ptr, ptr } { i32 65535, ptr @ctor_c, ptr @key_var }, { i32, ptr, ptr } { i32 101, ptr @ctor_d, ptr null }, { i32, ptr, ptr } { i32 200, ptr @ctor_e, ptr null }, { i32, ptr, ptr } { i32 65535, ptr @ctor_f, ptr null }, { i32, ptr, ptr } { i32 101, ptr @ctor_g, ptr @key_var }]
@llvm.global_dtors = appending global [4 x { i32, ptr, ptr }] [{ i32, ptr, ptr } { i32 65535, ptr @dtor_w, ptr null }, { i32, ptr, ptr } { i32 300, ptr @dtor_x, ptr null }, { i32, ptr, ptr } { i32 65535, ptr @dtor_y, ptr @key_var }, { i32, ptr, ptr } { i32 300, ptr @dtor_z, ptr null }]

declare i32 @printf(ptr, ...)
declare i32 @putchar(i32)

define internal void @note(i8 %c) {
  %p = load i32, ptr @pos
  %i = sext i32 %p to i64
  %slot = getelementptr [32 x i8], ptr @log, i64 0, i64 %i
  store i8 %c, ptr %slot
  %n = add i32 %p, 1
  store i32 %n, ptr @pos
  ret void
}

define internal void @ctor_a() {
  call void @note(i8 97)
  ret void
}

define internal void @ctor_b() {
  call void @note(i8 98)
  ret void
}

define internal void @ctor_c() {
  call void @note(i8 99)
  ret void
}

define internal void @ctor_d() {
  call void @note(i8 100)
  ret void
}

define internal void @ctor_e() {
  call void @note(i8 101)
  ret void
}

define internal void @ctor_f() {
  call void @note(i8 102)
  ret void
}

define internal void @ctor_g() {
  call void @note(i8 103)
  ret void
}

define internal void @dtor_w() {
  %r = call i32 @putchar(i32 119)
  ret void
}

define internal void @dtor_x() {
  %r = call i32 @putchar(i32 120)
  %s = call i32 @putchar(i32 10)
  ret void
}

define internal void @dtor_y() {
  %r = call i32 @putchar(i32 121)
  ret void
}

define internal void @dtor_z() {
  %r = call i32 @putchar(i32 122)
  ret void
}

define i32 @main() {
  %k = load i32, ptr @key_var
  %r = call i32 (ptr, ...) @printf(ptr @.fmt, ptr @log, i32 %k)
  ret i32 0
}
