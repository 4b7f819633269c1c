; Explicit sections on functions and globals, spread over the module, and code that
; finds them through the linker's __start_/__stop_ symbols: a table of handlers in
; section "pcg_handlers" (each pointing at a function in section "pcg_text") and a
; check that every handler lies inside pcg_text.
target triple = "x86_64-pc-linux-gnu"

@h_one = global ptr @one, section "pcg_handlers", align 8
@h_two = global ptr @two, section "pcg_handlers", align 8
@h_three = global ptr @three, section "pcg_handlers", align 8
@config = global i32 5, section "pcg_config"
@__start_pcg_handlers = external hidden global ptr
@__stop_pcg_handlers = external hidden global ptr
@__start_pcg_text = external hidden global i8
@__stop_pcg_text = external hidden global i8
@.fmt = private unnamed_addr constant [10 x i8] c"%d %d %d\0A\00"

declare i32 @printf(ptr, ...)

define i32 @one() section "pcg_text" {
  ret i32 1
}

define i32 @two() section "pcg_text" {
  %c = load i32, ptr @config
  %r = mul i32 %c, 20
  ret i32 %r
}

define internal i32 @three() section "pcg_text" {
  ret i32 1000
}

define i32 @run_all(ptr %inside) {
entry:
  br label %loop
loop:
  %p = phi ptr [ @__start_pcg_handlers, %entry ], [ %next, %body ]
  %sum = phi i32 [ 0, %entry ], [ %s2, %body ]
  %ok = phi i32 [ 0, %entry ], [ %ok2, %body ]
  %done = icmp eq ptr %p, @__stop_pcg_handlers
  br i1 %done, label %out, label %body
body:
  %f = load ptr, ptr %p
  %v = call i32 %f()
  %s2 = add i32 %sum, %v
  %lo = icmp uge ptr %f, @__start_pcg_text
  %hi = icmp ult ptr %f, @__stop_pcg_text
  %in = and i1 %lo, %hi
  %inc = zext i1 %in to i32
  %ok2 = add i32 %ok, %inc
  %next = getelementptr ptr, ptr %p, i64 1
  br label %loop
out:
  store i32 %ok, ptr %inside
  ret i32 %sum
}

define i32 @main() {
  %inside = alloca i32
  %s = call i32 @run_all(ptr %inside)
  %i = load i32, ptr %inside
  %e = ptrtoint ptr @__stop_pcg_handlers to i64
  %b = ptrtoint ptr @__start_pcg_handlers to i64
  %d = sub i64 %e, %b
  %n64 = lshr i64 %d, 3
  %n = trunc i64 %n64 to i32
  %r = call i32 (ptr, ...) @printf(ptr @.fmt, i32 %s, i32 %n, i32 %i)
  ret i32 0
}
