; Module asm that defines symbols and references IR ones: an exported asm function
; that tail-calls an internal IR function (kept alive by llvm.compiler.used, and also
; called from IR elsewhere, so it is promoted and renamed when apart), an asm data
; label without .globl that IR reads through a declaration, and a reference from asm to
; an external IR function.
target triple = "x86_64-pc-linux-gnu"

module asm "\09.text"
module asm "\09.globl asm_twice"
module asm "\09.type asm_twice,@function"
module asm "asm_twice:"
module asm "\09jmp helper_internal"
module asm "\09.globl asm_plus_ir"
module asm "\09.type asm_plus_ir,@function"
module asm "asm_plus_ir:"
module asm "\09jmp ir_exported"
module asm "\09.data"
module asm "\09.p2align 2"
module asm "asm_local_data:"
module asm "\09.long 17"
module asm "\09.text"

@asm_local_data = external global i32
@.fmt = private unnamed_addr constant [13 x i8] c"%d %d %d %d\0A\00"
@llvm.compiler.used = appending global [1 x ptr] [ptr @helper_internal], section "llvm.metadata"

declare i32 @printf(ptr, ...)
declare i32 @asm_twice(i32)
declare i32 @asm_plus_ir(i32)

define internal i32 @helper_internal(i32 %x) {
  %r = mul i32 %x, 2
  ret i32 %r
}

define i32 @ir_exported(i32 %x) {
  %r = add i32 %x, 1000
  ret i32 %r
}

define i32 @read_asm_data() {
  %v = load i32, ptr @asm_local_data
  ret i32 %v
}

define i32 @direct_helper(i32 %x) {
  %r = call i32 @helper_internal(i32 %x)
  ret i32 %r
}

define i32 @main() {
  %a = call i32 @asm_twice(i32 21)
  %b = call i32 @asm_plus_ir(i32 1)
  %c = call i32 @read_asm_data()
  %d = call i32 @direct_helper(i32 4)
  %r = call i32 (ptr, ...) @printf(ptr @.fmt, i32 %a, i32 %b, i32 %c, i32 %d)
  ret i32 0
}
