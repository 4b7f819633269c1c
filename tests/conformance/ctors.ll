; llvm.global_ctors / llvm.global_dtors and module-level inline assembly must end up in
; exactly one partition; llvm.used is cut down to each partition's own symbols.
target triple = "x86_64-pc-linux-gnu"

module asm ".globl asm_symbol"
module asm "asm_symbol:"
module asm "  ret"

@state = internal global i32 0
@kept = internal global i32 3

@llvm.global_ctors = appending global [1 x { i32, ptr, ptr }] [{ i32, ptr, ptr } { i32 65535, ptr @init, ptr null }]
@llvm.global_dtors = appending global [1 x { i32, ptr, ptr }] [{ i32, ptr, ptr } { i32 65535, ptr @fini, ptr null }]
@llvm.used = appending global [2 x ptr] [ptr @kept, ptr @keep_me], section "llvm.metadata"

define internal void @init() {
  store i32 1, ptr @state
  ret void
}

define internal void @fini() {
  store i32 0, ptr @state
  ret void
}

define internal void @keep_me() {
  ret void
}

define i32 @get_state() {
  %v = load i32, ptr @state
  ret i32 %v
}

define i32 @get_kept() {
  %v = load i32, ptr @kept
  ret i32 %v
}

define i32 @independent(i32 %x) {
  %r = add i32 %x, 11
  ret i32 %r
}
